import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import {
  type AsymmetricSigningAlgorithm,
  AsymmetricSigningAlgorithms,
} from '../constants/signing-algorithms.js';
import { ConfigurationError } from '../errors.js';

/** A JWS algorithm a DPoP proof may be signed with (RFC 9449 §4.2: asymmetric only). */
export type DPoPAlgorithm = AsymmetricSigningAlgorithm;

/** The public members of a JWK, the only ones a proof's `jwk` header may carry. (A type, so it is a `Record`.) */
export type DPoPPublicJwk = {
  readonly kty: string;
  readonly crv?: string;
  readonly x?: string;
  readonly y?: string;
  readonly n?: string;
  readonly e?: string;
};

/** A client's DPoP key pair: the private key signs proofs, the public JWK goes in each proof's header. */
export interface DPoPKey {
  readonly alg: DPoPAlgorithm;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly publicJwk: DPoPPublicJwk;
}

const ALGORITHMS: ReadonlySet<string> = new Set(AsymmetricSigningAlgorithms);
const EC_CURVES: Readonly<Record<string, string>> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' };

/** Throws a `ConfigurationError` unless `alg` is an asymmetric JWS algorithm. */
export function checkDPoPAlgorithm(alg: unknown): DPoPAlgorithm {
  if (typeof alg !== 'string' || !ALGORITHMS.has(alg)) {
    throw new ConfigurationError(`alg: a DPoP key is one of ${AsymmetricSigningAlgorithms.join(', ')}`);
  }
  return alg as DPoPAlgorithm;
}

function generate(alg: DPoPAlgorithm): { privateKey: KeyObject; publicKey: KeyObject } {
  const curve = EC_CURVES[alg];
  if (curve !== undefined) return generateKeyPairSync('ec', { namedCurve: curve });
  if (alg === 'EdDSA') return generateKeyPairSync('ed25519');
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

/** The public members of a key (whatever half is given): a private member can never come out of here. */
export function publicJwkOf(key: KeyObject): DPoPPublicJwk {
  const jwk = (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'jwk' });
  const { kty, crv, x, y, n, e } = jwk;
  if (typeof kty !== 'string') throw new ConfigurationError('key: not a key that has a JWK form');
  return Object.freeze({
    kty,
    ...(crv === undefined ? {} : { crv }),
    ...(x === undefined ? {} : { x }),
    ...(y === undefined ? {} : { y }),
    ...(n === undefined ? {} : { n }),
    ...(e === undefined ? {} : { e }),
  });
}

/** A fresh DPoP key pair (RFC 9449) for `alg` (default ES256), with its public JWK. */
export function generateDPoPKey(alg: DPoPAlgorithm = 'ES256'): DPoPKey {
  const checked = checkDPoPAlgorithm(alg);
  const { privateKey, publicKey } = generate(checked);
  return Object.freeze({ alg: checked, privateKey, publicKey, publicJwk: publicJwkOf(publicKey) });
}
