import { hash } from 'node:crypto';
import { publishDPoPReplayRefused } from '../diagnostics.js';
import { ConfigurationError } from '../errors.js';
import { MemoryReplayStore } from '../replay/memory-replay-store.js';
import type { ReplayStore } from '../replay/replay-store.js';
import { type AlgorithmSpec, algorithmSpec, verifySignature } from '../validation/algorithms.js';
import { decodeCanonicalBase64url } from '../validation/base64url.js';
import { parseJsonObject } from '../validation/safe-json.js';
import { computeAth } from './compute-ath.js';
import type { DPoPPublicJwk } from './dpop-key.js';
import { DPOP_PROOF_TYPE } from './dpop-proof.js';
import { DPoPProofError } from './dpop-proof-error.js';
import { normalizeHtu } from './htu.js';
import type { DPoPNonceSource } from './nonce-source.js';
import { importProofKey, type ProofKey } from './proof-key.js';
import { sameDigest } from './same-digest.js';

/** The proof algorithms accepted unless told otherwise: the asymmetric ones providers and clients use. */
export const DEFAULT_DPOP_ALGORITHMS: readonly string[] = Object.freeze([
  'ES256',
  'ES384',
  'PS256',
  'RS256',
  'EdDSA',
]);
/** Seconds a proof's `iat` may lie in the past unless told otherwise. */
export const DEFAULT_DPOP_IAT_WINDOW = 60;
/** Seconds a proof's `iat` may lie in the future: clients' clocks run a little ahead. */
export const DPOP_FUTURE_SKEW_SECONDS = 5;
/** Longest proof read, in characters; an RSA-4096 proof is about 1.5 KiB. */
export const MAX_DPOP_PROOF_LENGTH = 8192;
/** Longest `jti` accepted, in characters. */
export const MAX_DPOP_JTI_LENGTH = 256;
const MAX_NONCE_LENGTH = 512;
/** Distinct proof headers (one per client key, usually) whose imported key is kept. */
const KEY_CACHE_ENTRIES = 1000;
/**
 * Proofs a second the default replay store holds for a whole window. A full store refuses every new proof
 * (503) rather than forget a live `jti`, so it must not fill before the CPU does: one process verifies at most
 * ~16,000 DPoP-bound requests a second (~62 µs each, RS256). The old bound, 10,000 identifiers, refused new
 * proofs above ~150 a second with the 65 s a `jti` is kept.
 */
const DEFAULT_REPLAY_PROOFS_PER_SECOND = 10_000;
/** The default store's ceiling whatever the window (~150 bytes per identifier held: ~150 MB when full). */
const MAX_DEFAULT_REPLAY_ENTRIES = 1_000_000;

/** How proofs are checked: built once per resource server. */
export interface DPoPProofVerifierOptions {
  /** Accepted `alg` values, asymmetric only. Default `DEFAULT_DPOP_ALGORITHMS`. */
  algorithms?: readonly string[];
  /** Seconds a proof's `iat` may lie in the past (and its `jti` is remembered). Default 60, at most 3600. */
  iatWindow?: number;
  /** Server nonces (RFC 9449 §9): a proof must then carry a nonce this source accepts. */
  nonces?: DPoPNonceSource;
  /**
   * Where `jti`s are remembered. Default: a `MemoryReplayStore` of this verifier that holds 10,000 proofs a
   * second over the window (650,000 identifiers with the default 60 s, at most 1,000,000; ~150 bytes each).
   */
  replayStore?: ReplayStore;
  /** Milliseconds since the epoch; `Date.now` by default. */
  now?: () => number;
}

/** The request a proof must belong to. */
export interface DPoPProofRequest {
  /** The HTTP method (`htm`). */
  method: string;
  /** The URL the request was sent to, as the server rebuilt it (`htu`); `undefined` when it cannot tell. */
  url: string | undefined;
  /** The access token sent with the proof: `ath` must be its hash. */
  accessToken?: string | undefined;
}

/** What a proof that passed says. */
export interface VerifiedDPoPProof {
  /** RFC 7638 thumbprint of the proof key: a bound token's `cnf.jkt` must equal it. */
  readonly jkt: string;
  readonly jti: string;
  readonly iat: number;
  readonly htm: string;
  readonly htu: string;
  readonly nonce: string | undefined;
  readonly publicJwk: DPoPPublicJwk;
}

/** @internal A proof after the cheap checks: what the signature check and the replay check still need. */
export interface InspectedProof extends VerifiedDPoPProof {
  readonly spec: AlgorithmSpec;
  readonly key: ProofKey;
  readonly data: Buffer;
  readonly signature: Buffer;
}

interface CachedHeader {
  readonly spec: AlgorithmSpec;
  readonly key: ProofKey;
}

function fail(code: DPoPProofError['code'], message: string): never {
  throw new DPoPProofError(code, message);
}

function refuseReplay(proof: VerifiedDPoPProof): never {
  publishDPoPReplayRefused(proof.htm, proof.htu);
  fail('dpop_replayed', 'The DPoP proof was already used');
}

const MALFORMED = 'The DPoP proof is not a well-formed JWT';

/**
 * Verifies DPoP proofs as RFC 9449 §4.3 says, cheapest checks first: size and shape; the JOSE header, parsed
 * once per distinct header (its key imported and kept in a bounded cache); the claims (`htm`, `htu`, `iat`,
 * `jti`, `ath`, `nonce`); then the signature; then the replay check, which records the `jti`.
 */
export class DPoPProofVerifier {
  /** The accepted algorithms, in the order given (what `algs="…"` says). */
  readonly algorithms: readonly string[];
  readonly iatWindow: number;
  readonly nonces: DPoPNonceSource | undefined;
  readonly #allowed: ReadonlySet<string>;
  readonly #store: ReplayStore;
  readonly #ownedStore: boolean;
  readonly #now: () => number;
  readonly #headers = new Map<string, CachedHeader>();

  constructor(options: DPoPProofVerifierOptions = {}) {
    const { algorithms = DEFAULT_DPOP_ALGORITHMS, iatWindow = DEFAULT_DPOP_IAT_WINDOW } = options;
    if (!Array.isArray(algorithms) || algorithms.length === 0) {
      throw new ConfigurationError(
        'dpop.algorithms: a non-empty array of asymmetric JWS algorithms, e.g. ["ES256"]',
      );
    }
    for (const alg of algorithms) {
      const spec = typeof alg === 'string' ? algorithmSpec(alg) : undefined;
      if (spec === undefined || spec.family === 'HMAC') {
        throw new ConfigurationError(
          `dpop.algorithms: ${JSON.stringify(alg)} is not an asymmetric JWS algorithm (RS*, PS*, ES*, EdDSA)`,
        );
      }
    }
    if (!Number.isFinite(iatWindow) || iatWindow < 1 || iatWindow > 3600) {
      throw new ConfigurationError('dpop.iatWindow: a number of seconds between 1 and 3600');
    }
    const store = options.replayStore;
    if (store !== undefined && typeof store?.setIfAbsent !== 'function') {
      throw new ConfigurationError('dpop.replayStore: a ReplayStore (setIfAbsent), e.g. RedisReplayStore');
    }
    this.algorithms = Object.freeze([...algorithms]);
    this.#allowed = new Set(algorithms);
    this.iatWindow = iatWindow;
    this.nonces = options.nonces;
    this.#now = options.now ?? Date.now;
    this.#ownedStore = store === undefined;
    this.#store =
      store ??
      new MemoryReplayStore({
        now: this.#now,
        maxEntries: Math.min(
          Math.ceil(DEFAULT_REPLAY_PROOFS_PER_SECOND * (iatWindow + DPOP_FUTURE_SKEW_SECONDS)),
          MAX_DEFAULT_REPLAY_ENTRIES,
        ),
      });
  }

  /** Every check, the `jti` recorded last. Rejects with `DPoPProofError`, or the store's error when it fails. */
  async verify(proof: string, request: DPoPProofRequest): Promise<VerifiedDPoPProof> {
    const inspected = this.inspect(proof, request);
    this.checkSignature(inspected);
    await this.record(inspected);
    return inspected;
  }

  /** @internal The checks that need no signature verification and no store, in cheap-first order. Throws. */
  inspect(proof: unknown, request: DPoPProofRequest): InspectedProof {
    if (typeof proof !== 'string' || proof.length > MAX_DPOP_PROOF_LENGTH)
      fail('dpop_proof_malformed', MALFORMED);
    const first = proof.indexOf('.');
    const second = proof.indexOf('.', first + 1);
    if (first <= 0 || second <= first + 1 || proof.indexOf('.', second + 1) >= 0) {
      fail('dpop_proof_malformed', MALFORMED);
    }
    const segment = proof.slice(0, first);
    const cached = this.#headers.get(segment);
    const payload = decodeCanonicalBase64url(proof, first + 1, second);
    const signature = decodeCanonicalBase64url(proof, second + 1, proof.length);
    // A header already cached is this very string, checked when it was first seen.
    const header = cached === undefined ? decodeCanonicalBase64url(proof, 0, first) : undefined;
    if (payload === undefined || signature === undefined || (cached === undefined && header === undefined)) {
      fail('dpop_proof_malformed', MALFORMED);
    }
    // An empty signature is refused after the header, so `alg: none` is answered as the alg it is.
    const { spec, key } = cached ?? this.#header(segment, header!);
    if (second === proof.length - 1) fail('dpop_proof_malformed', MALFORMED);
    const parsed = parseJsonObject(payload.toString('utf8'), true);
    if (!parsed.ok) fail('dpop_proof_malformed', MALFORMED);
    const claims = parsed.value;

    const { jti, htm, htu, iat, ath, nonce } = claims;
    if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_DPOP_JTI_LENGTH) {
      fail('dpop_jti_missing', 'The DPoP proof has no usable jti');
    }
    if (typeof htm !== 'string' || htm !== request.method) {
      fail('dpop_htm_mismatch', 'The DPoP proof is for another HTTP method');
    }
    const normalized = normalizeHtu(htu);
    if (normalized === undefined || request.url === undefined || normalized !== request.url) {
      fail('dpop_htu_mismatch', 'The DPoP proof is for another URL');
    }
    const now = this.#now() / 1000;
    if (
      typeof iat !== 'number' ||
      !Number.isFinite(iat) ||
      now - iat > this.iatWindow ||
      iat - now > DPOP_FUTURE_SKEW_SECONDS
    ) {
      fail('dpop_iat_invalid', 'The DPoP proof is too old or not yet valid');
    }
    if (request.accessToken !== undefined) {
      if (typeof ath !== 'string' || ath.length > 64 || !sameDigest(ath, computeAth(request.accessToken))) {
        fail('dpop_ath_mismatch', 'The DPoP proof is not for this access token');
      }
    }
    if (nonce !== undefined && (typeof nonce !== 'string' || nonce.length > MAX_NONCE_LENGTH)) {
      fail('dpop_proof_malformed', MALFORMED);
    }
    if (this.nonces !== undefined && !this.nonces.accepts(nonce)) {
      fail('dpop_nonce_invalid', 'The DPoP proof must carry the current server nonce');
    }
    return {
      jkt: key.jkt,
      jti,
      iat,
      htm,
      htu: normalized,
      nonce: nonce as string | undefined,
      publicJwk: key.publicJwk,
      spec,
      key,
      data: Buffer.from(proof.slice(0, second), 'ascii'),
      signature,
    };
  }

  /** @internal The one signature verification of the proof. Throws `dpop_signature_invalid`. */
  checkSignature(proof: InspectedProof): void {
    if (!verifySignature(proof.spec, proof.key.key, proof.data, proof.signature)) {
      fail('dpop_signature_invalid', 'The DPoP proof signature is invalid');
    }
  }

  /**
   * @internal Records the proof's `jti` for the key: throws (or rejects with) `dpop_replayed` when it was
   * already recorded within the window, or the store's own error when the store cannot tell (the caller
   * answers 503). Answers at once when the store can (`setIfAbsentNow`), else with a promise.
   */
  record(proof: VerifiedDPoPProof): void | Promise<void> {
    // A hash of key and jti: bounded in size whatever the jti, and one client cannot burn another's jti.
    const key = `dpop:${hash('sha256', `${proof.jkt}\0${proof.jti}`, 'base64url')}`;
    const ttlMs = (this.iatWindow + DPOP_FUTURE_SKEW_SECONDS) * 1000;
    if (this.#store.setIfAbsentNow !== undefined) {
      if (!this.#store.setIfAbsentNow(key, ttlMs)) refuseReplay(proof);
      return;
    }
    return this.#store.setIfAbsent(key, ttlMs).then((first) => {
      if (!first) refuseReplay(proof);
    });
  }

  /** Closes the replay store when this verifier made it. */
  async close(): Promise<void> {
    if (this.#ownedStore) await this.#store.close?.();
  }

  /** A header not seen before: parsed, checked, its key imported, and kept (the oldest forgotten when full). */
  #header(segment: string, bytes: Buffer): CachedHeader {
    const parsed = parseJsonObject(bytes.toString('utf8'), true);
    if (!parsed.ok) fail('dpop_proof_malformed', MALFORMED);
    const header = parsed.value;
    if (typeof header.typ !== 'string' || header.typ.toLowerCase() !== DPOP_PROOF_TYPE) {
      fail('dpop_typ_invalid', 'The DPoP proof typ is not dpop+jwt');
    }
    const alg = header.alg;
    const spec = typeof alg === 'string' && this.#allowed.has(alg) ? algorithmSpec(alg) : undefined;
    if (spec === undefined || spec.family === 'HMAC') {
      fail('dpop_alg_not_allowed', 'The DPoP proof signing algorithm is not accepted');
    }
    if (header.crit !== undefined) fail('dpop_proof_malformed', MALFORMED);
    const entry = { spec, key: importProofKey(header.jwk, spec) };
    if (this.#headers.size >= KEY_CACHE_ENTRIES) {
      const oldest = this.#headers.keys().next().value;
      if (oldest !== undefined) this.#headers.delete(oldest);
    }
    this.#headers.set(segment, entry);
    return entry;
  }
}

/**
 * Verifies one DPoP proof (RFC 9449 §4.3) for `request` with a verifier built for the occasion. A server
 * builds one `DPoPProofVerifier` instead, so replays are detected across requests (its store) and keys are
 * imported once.
 */
export function verifyDPoPProof(
  proof: string,
  request: DPoPProofRequest,
  options: DPoPProofVerifierOptions & { replayStore: ReplayStore },
): Promise<VerifiedDPoPProof> {
  return new DPoPProofVerifier(options).verify(proof, request);
}
