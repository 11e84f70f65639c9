import { createPublicKey, type JsonWebKey as NodeJwk } from 'node:crypto';
import { checkJwk } from '../jwks/check-jwk.js';
import type { VerificationKey } from '../jwks/verification-key.js';
import { type AlgorithmSpec, keyMismatch } from '../validation/algorithms.js';
import type { DPoPPublicJwk } from './dpop-key.js';
import { DPoPProofError } from './dpop-proof-error.js';
import { jwkThumbprint } from './jwk-thumbprint.js';

/** Members only a private or secret key has (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037): never in a proof. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/** A proof's `jwk` header, checked and imported: the key, its RFC 7638 thumbprint and its public members. */
export interface ProofKey {
  readonly key: VerificationKey;
  readonly jkt: string;
  readonly publicJwk: DPoPPublicJwk;
}

function invalid(message: string, cause?: unknown): DPoPProofError {
  return new DPoPProofError('dpop_jwk_invalid', message, { cause });
}

/**
 * Checks a proof's `jwk` header for `spec` and imports it with `node:crypto`. Private members are refused
 * before anything else looks at the key; RSA keys are bounded (2048–8192 bits, a small odd exponent) as for
 * a provider's key set, so a proof cannot make verification arbitrarily expensive.
 */
export function importProofKey(jwk: unknown, spec: AlgorithmSpec): ProofKey {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) {
    throw invalid('The DPoP proof has no jwk header');
  }
  const members = jwk as Record<string, unknown>;
  if (PRIVATE_MEMBERS.some((name) => Object.hasOwn(members, name))) {
    throw new DPoPProofError('dpop_jwk_private', 'The DPoP proof jwk header contains a private key');
  }
  const problem = checkJwk(members);
  if (problem !== undefined) throw invalid('The DPoP proof jwk header is not a usable public key');
  const { kty, crv, x, y, n, e } = members as Record<string, string | undefined>;
  const publicJwk = Object.fromEntries(
    Object.entries({ kty, crv, x, y, n, e }).filter(([, value]) => value !== undefined),
  ) as DPoPPublicJwk;
  let keyObject: VerificationKey['keyObject'];
  try {
    keyObject = createPublicKey({ key: publicJwk as NodeJwk, format: 'jwk' });
  } catch (cause) {
    throw invalid('The DPoP proof jwk header is not a usable public key', cause);
  }
  const key: VerificationKey = {
    kid: undefined,
    kty: kty as VerificationKey['kty'],
    alg: undefined,
    crv,
    use: undefined,
    keyOps: undefined,
    modulusBits: keyObject.asymmetricKeyDetails?.modulusLength,
    keyObject,
  };
  if (keyMismatch(spec, key) !== undefined) {
    throw invalid('The DPoP proof jwk header does not fit its alg');
  }
  return { key, jkt: jwkThumbprint(publicJwk), publicJwk: Object.freeze(publicJwk) };
}
