/** Real key pairs for JWKS tests, generated once per test file. */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { JsonWebKey } from '../../src/jwks/index.js';

export interface TestKey {
  jwk: JsonWebKey;
  privateKey: KeyObject;
}

export function rsaKey(kid: string, modulusLength = 2048): TestKey {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength });
  return {
    jwk: { ...(publicKey.export({ format: 'jwk' }) as JsonWebKey), kid, use: 'sig', alg: 'RS256' },
    privateKey,
  };
}

export function ecKey(kid: string): TestKey {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { jwk: { ...(publicKey.export({ format: 'jwk' }) as JsonWebKey), kid, alg: 'ES256' }, privateKey };
}

export function edKey(kid: string): TestKey {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { jwk: { ...(publicKey.export({ format: 'jwk' }) as JsonWebKey), kid }, privateKey };
}

/** The private JWK of a key (to play a provider that leaks private members). */
export function privateJwk(key: TestKey): JsonWebKey {
  return { ...(key.privateKey.export({ format: 'jwk' }) as JsonWebKey), kid: key.jwk.kid };
}
