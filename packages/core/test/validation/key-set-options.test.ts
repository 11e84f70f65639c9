/** `keySet` tuning is checked when the validator is built, whatever the key source — discovery included. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigurationError } from '../../src/errors.js';
import { createTokenValidator } from '../../src/validation/index.js';
import type { TokenValidatorOptions } from '../../src/validation/options.js';
import { AUDIENCE, CountingKeySource, ISSUER, testKey } from './helpers.js';

function refused(options: Partial<TokenValidatorOptions>, pattern: RegExp): void {
  assert.throws(
    () => createTokenValidator({ issuer: ISSUER, audience: AUDIENCE, ...options }),
    (e: unknown) => e instanceof ConfigurationError && pattern.test(e.message),
  );
}

const bad: Array<[TokenValidatorOptions['keySet'], RegExp]> = [
  [{ cooldownMs: -1 }, /^createTokenValidator: keySet: .*cooldownMs/],
  [{ defaultTtlMs: Number.NaN }, /keySet: .*defaultTtlMs/],
  [{ minTtlMs: 10_000, maxTtlMs: 1_000 }, /keySet: .*minTtlMs must not exceed maxTtlMs/],
  ['fast' as unknown as TokenValidatorOptions['keySet'], /keySet must be an object/],
];

test('a bad keySet option in discovery mode throws at construction', () => {
  for (const [keySet, pattern] of bad) refused({ keySet }, pattern);
});

test('a bad keySet option throws at construction with jwksUri, keys and keySource too', () => {
  const source = new CountingKeySource([testKey('ES256').key]);
  for (const [keySet, pattern] of bad) {
    refused({ keySet, jwksUri: 'https://issuer.example/jwks' }, pattern);
    refused({ keySet, keys: { keys: [testKey('ES256').jwk] } }, pattern);
    refused({ keySet, keySource: source }, pattern);
  }
});

test('good keySet options are accepted in discovery mode', async () => {
  const v = createTokenValidator({
    issuer: ISSUER,
    audience: AUDIENCE,
    keySet: { cooldownMs: 0, minTtlMs: 0 },
  });
  await v.close();
});
