import {
  constants,
  createHmac,
  type KeyObject,
  timingSafeEqual,
  type VerifyKeyObjectInput,
  verify,
} from 'node:crypto';
import type { VerificationKey } from '../jwks/verification-key.js';

/** How one JWS `alg` is verified with `node:crypto`. */
export interface AlgorithmSpec {
  readonly alg: string;
  readonly family: 'RSA' | 'PSS' | 'EC' | 'EdDSA' | 'HMAC';
  /** Digest name for `crypto.verify` / `createHmac`; null for EdDSA (the curve fixes it). */
  readonly hash: 'sha256' | 'sha384' | 'sha512' | null;
  /** EC: the one curve this alg is defined on, and the exact IEEE P1363 signature length. */
  readonly curve?: 'P-256' | 'P-384' | 'P-521';
  readonly signatureLength?: number;
}

const rsa = (alg: string, hash: AlgorithmSpec['hash']): AlgorithmSpec => ({ alg, family: 'RSA', hash });
const pss = (alg: string, hash: AlgorithmSpec['hash']): AlgorithmSpec => ({ alg, family: 'PSS', hash });
const hmac = (alg: string, hash: AlgorithmSpec['hash']): AlgorithmSpec => ({ alg, family: 'HMAC', hash });

const SPECS: ReadonlyMap<string, AlgorithmSpec> = new Map([
  ['RS256', rsa('RS256', 'sha256')],
  ['RS384', rsa('RS384', 'sha384')],
  ['RS512', rsa('RS512', 'sha512')],
  ['PS256', pss('PS256', 'sha256')],
  ['PS384', pss('PS384', 'sha384')],
  ['PS512', pss('PS512', 'sha512')],
  ['ES256', { alg: 'ES256', family: 'EC', hash: 'sha256', curve: 'P-256', signatureLength: 64 }],
  ['ES384', { alg: 'ES384', family: 'EC', hash: 'sha384', curve: 'P-384', signatureLength: 96 }],
  ['ES512', { alg: 'ES512', family: 'EC', hash: 'sha512', curve: 'P-521', signatureLength: 132 }],
  ['EdDSA', { alg: 'EdDSA', family: 'EdDSA', hash: null }],
  ['HS256', hmac('HS256', 'sha256')],
  ['HS384', hmac('HS384', 'sha384')],
  ['HS512', hmac('HS512', 'sha512')],
]);

export function algorithmSpec(alg: string): AlgorithmSpec | undefined {
  return SPECS.get(alg);
}

export const SUPPORTED_ALGORITHMS: readonly string[] = [...SPECS.keys()];

/** The smallest RSA modulus we verify with (RFC 7518 section 3.3 and NIST SP 800-131A). */
export const MIN_RSA_BITS = 2048;
/** HMAC secrets at least as long as the hash output (RFC 7518 section 3.2). */
export const MIN_HMAC_BYTES: Record<string, number> = { HS256: 32, HS384: 48, HS512: 64 };

/** What the `KeyObject` itself says, computed once per key: the declared `kty`/`crv` are not trusted alone. */
interface KeyFacts {
  type: 'rsa' | 'ec' | 'ed25519' | 'ed448' | 'secret' | 'other';
  curve: string | undefined;
  bits: number;
}

const FACTS = new WeakMap<KeyObject, KeyFacts>();
const NAMED_CURVES: Record<string, string> = {
  prime256v1: 'P-256',
  'P-256': 'P-256',
  secp384r1: 'P-384',
  'P-384': 'P-384',
  secp521r1: 'P-521',
  'P-521': 'P-521',
};

function factsOf(keyObject: KeyObject): KeyFacts {
  let facts = FACTS.get(keyObject);
  if (facts !== undefined) return facts;
  if (keyObject.type === 'secret') {
    facts = { type: 'secret', curve: undefined, bits: (keyObject.symmetricKeySize ?? 0) * 8 };
  } else if (keyObject.type === 'public') {
    const kind = keyObject.asymmetricKeyType;
    const details = keyObject.asymmetricKeyDetails ?? {};
    if (kind === 'rsa') facts = { type: 'rsa', curve: undefined, bits: details.modulusLength ?? 0 };
    else if (kind === 'ec') {
      const named = details.namedCurve;
      facts = { type: 'ec', curve: named === undefined ? undefined : NAMED_CURVES[named], bits: 0 };
    } else if (kind === 'ed25519' || kind === 'ed448') facts = { type: kind, curve: undefined, bits: 0 };
    else facts = { type: 'other', curve: undefined, bits: 0 };
  } else {
    // A private key has no place in a verification key set.
    facts = { type: 'other', curve: undefined, bits: 0 };
  }
  FACTS.set(keyObject, facts);
  return facts;
}

/** Why a key cannot verify a token with this `alg`; undefined when it can. */
export function keyMismatch(spec: AlgorithmSpec, key: VerificationKey): string | undefined {
  if (key.alg !== undefined && key.alg !== spec.alg) return 'the key declares another alg';
  if (key.use !== undefined && key.use !== 'sig') return 'the key is not a signing key';
  if (key.keyOps !== undefined && !key.keyOps.includes('verify')) return 'the key does not allow verify';
  const facts = factsOf(key.keyObject);
  switch (spec.family) {
    case 'RSA':
    case 'PSS':
      if (key.kty !== 'RSA' || facts.type !== 'rsa') return 'alg needs an RSA key';
      if (facts.bits < MIN_RSA_BITS) return `RSA key shorter than ${MIN_RSA_BITS} bits`;
      return undefined;
    case 'EC':
      if (key.kty !== 'EC' || facts.type !== 'ec') return 'alg needs an EC key';
      if (facts.curve !== spec.curve || (key.crv !== undefined && key.crv !== spec.curve)) {
        return `alg needs curve ${spec.curve}`;
      }
      return undefined;
    case 'EdDSA':
      if (key.kty !== 'OKP' || (facts.type !== 'ed25519' && facts.type !== 'ed448'))
        return 'alg needs an OKP key';
      if (key.crv !== undefined && key.crv.toLowerCase() !== facts.type) return 'key curve does not match';
      return undefined;
    case 'HMAC':
      if (key.kty !== 'oct' || facts.type !== 'secret') return 'alg needs a shared secret';
      if (facts.bits / 8 < (MIN_HMAC_BYTES[spec.alg] ?? 0)) return 'shared secret too short for alg';
      return undefined;
  }
}

// Option objects for crypto.verify, hoisted so the hot path allocates only the per-key wrapper below.
const PSS_OPTIONS = {
  padding: constants.RSA_PKCS1_PSS_PADDING,
  saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
};
const PSS_KEYS = new WeakMap<KeyObject, VerifyKeyObjectInput>();
const EC_KEYS = new WeakMap<KeyObject, VerifyKeyObjectInput>();

function pssKey(keyObject: KeyObject): VerifyKeyObjectInput {
  let k = PSS_KEYS.get(keyObject);
  if (k === undefined) {
    k = { key: keyObject, ...PSS_OPTIONS };
    PSS_KEYS.set(keyObject, k);
  }
  return k;
}

function ecKey(keyObject: KeyObject): VerifyKeyObjectInput {
  let k = EC_KEYS.get(keyObject);
  if (k === undefined) {
    k = { key: keyObject, dsaEncoding: 'ieee-p1363' };
    EC_KEYS.set(keyObject, k);
  }
  return k;
}

function isAllZero(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (bytes[i] !== 0) return false;
  return true;
}

/**
 * Verifies a JWS signature synchronously on the calling thread. The key has passed `keyMismatch` for this
 * spec. Returns false for any signature that does not verify, including malformed ones.
 */
export function verifySignature(
  spec: AlgorithmSpec,
  key: VerificationKey,
  data: Buffer,
  signature: Buffer,
): boolean {
  try {
    switch (spec.family) {
      case 'RSA':
        return verify(spec.hash, data, key.keyObject, signature);
      case 'PSS':
        return verify(spec.hash, data, pssKey(key.keyObject), signature);
      case 'EC': {
        const length = spec.signatureLength!;
        if (signature.length !== length) return false;
        // r = 0 or s = 0 is never valid (the "psychic signature" class of bugs); refuse before OpenSSL sees it.
        if (isAllZero(signature, 0, length / 2) || isAllZero(signature, length / 2, length)) return false;
        return verify(spec.hash, data, ecKey(key.keyObject), signature);
      }
      case 'EdDSA':
        return verify(null, data, key.keyObject, signature);
      case 'HMAC': {
        const expected = createHmac(spec.hash!, key.keyObject).update(data).digest();
        return expected.length === signature.length && timingSafeEqual(expected, signature);
      }
    }
  } catch {
    return false;
  }
}
