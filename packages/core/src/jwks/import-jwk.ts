import { createPublicKey, createSecretKey, type JsonWebKey as NodeJwk } from 'node:crypto';
import { ConfigurationError } from '../errors.js';
import { checkJwk } from './check-jwk.js';
import type { JsonWebKey } from './json-web-key.js';
import type { VerificationKey } from './verification-key.js';

/** Curves whose keys agree on secrets rather than verify signatures. */
const KEY_AGREEMENT_CURVES = new Set(['X25519', 'X448']);

/** Whether a checked JWK may verify signatures at all (its `use`, `key_ops` and curve allow it). */
export function isVerificationJwk(jwk: JsonWebKey): boolean {
  if (jwk.use !== undefined && jwk.use !== 'sig') return false;
  if (jwk.key_ops !== undefined && !jwk.key_ops.includes('verify')) return false;
  return !(jwk.kty === 'OKP' && jwk.crv !== undefined && KEY_AGREEMENT_CURVES.has(jwk.crv));
}

/** The members that define a key, in a fixed order: equal fingerprints mean the same published key. */
export function jwkFingerprint(jwk: JsonWebKey): string {
  return JSON.stringify([
    jwk.kty,
    jwk.kid,
    jwk.alg,
    jwk.use,
    jwk.key_ops,
    jwk.crv,
    jwk.n,
    jwk.e,
    jwk.x,
    jwk.y,
    jwk.k,
  ]);
}

/**
 * Imports a checked JWK into a `KeyObject`, once. Throws when Node refuses the key material (an EC point
 * not on its curve …); the message never includes the key.
 */
export function importCheckedJwk(jwk: JsonWebKey): VerificationKey {
  const keyObject =
    jwk.kty === 'oct'
      ? createSecretKey(Buffer.from(jwk.k as string, 'base64url'))
      : createPublicKey({ key: publicMembers(jwk), format: 'jwk' });
  const details = keyObject.asymmetricKeyDetails;
  return Object.freeze({
    kid: jwk.kid,
    kty: jwk.kty as VerificationKey['kty'],
    alg: jwk.alg,
    crv: jwk.crv,
    use: jwk.use,
    keyOps: jwk.key_ops === undefined ? undefined : Object.freeze([...jwk.key_ops]),
    modulusBits: details?.modulusLength,
    keyObject,
  });
}

function publicMembers(jwk: JsonWebKey): NodeJwk {
  const { kty, crv, n, e, x, y } = jwk;
  return Object.fromEntries(
    Object.entries({ kty, crv, n, e, x, y }).filter(([, value]) => value !== undefined),
  ) as NodeJwk;
}

/**
 * Checks and imports one JWK (RSA of 2048–8192 bits with an odd exponent of at most 32 bits, EC, OKP;
 * `oct` only with `allowSymmetric`) into a `VerificationKey`. Throws `ConfigurationError` saying what is
 * wrong with it.
 */
export function importJwk(jwk: object, options: { allowSymmetric?: boolean } = {}): VerificationKey {
  const problem = checkJwk(jwk, options);
  const kid = (jwk as { kid?: unknown }).kid;
  const name = typeof kid === 'string' ? `JWK ${kid}` : 'JWK';
  if (problem !== undefined) throw new ConfigurationError(`${name} is not usable: ${problem}`);
  try {
    return importCheckedJwk(jwk as JsonWebKey);
  } catch (cause) {
    throw new ConfigurationError(`${name} could not be imported`, { cause });
  }
}
