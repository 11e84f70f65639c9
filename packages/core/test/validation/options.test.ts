import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigurationError } from '../../src/errors.js';
import { createTokenValidator } from '../../src/validation/index.js';
import type { TokenValidatorOptions } from '../../src/validation/options.js';
import { AUDIENCE, CountingKeySource, claims, ISSUER, rejectsWith, signJws, testKey } from './helpers.js';

const keySource = new CountingKeySource([testKey('RS256').key]);
const base = { issuer: ISSUER, audience: AUDIENCE, keySource } satisfies TokenValidatorOptions;

function refused(options: unknown, pattern: RegExp): void {
  assert.throws(
    () => createTokenValidator(options as TokenValidatorOptions),
    (e: unknown) => e instanceof ConfigurationError && pattern.test(e.message),
  );
}

describe('options are checked once, with messages that say what to change', () => {
  test('issuer and audience are required', () => {
    refused({ audience: AUDIENCE, keySource }, /issuer is required/);
    refused({ issuer: ISSUER, keySource }, /audience is required/);
    refused({ ...base, issuer: [] }, /issuer must be/);
    refused({ ...base, audience: '' }, /audience must be/);
  });

  test('alg none and unsupported algorithms are refused', () => {
    refused({ ...base, algorithms: ['none'] }, /'none' is never allowed/);
    refused({ ...base, algorithms: ['RS256', ' NONE'] }, /'none' is never allowed/);
    refused({ ...base, algorithms: ['RS1'] }, /unsupported algorithm/);
  });

  test('HS* needs an explicit secret and an explicit HS allowlist', () => {
    refused(
      { issuer: ISSUER, audience: AUDIENCE, jwksUri: 'https://x/jwks', algorithms: ['HS256'] },
      /needs a shared secret/,
    );
    refused(
      { issuer: ISSUER, audience: AUDIENCE, secret: 's'.repeat(32) },
      /list the HMAC algorithms explicitly/,
    );
    refused(
      { issuer: ISSUER, audience: AUDIENCE, secret: 's'.repeat(32), algorithms: ['HS256', 'RS256'] },
      /only HS256/,
    );
  });

  test('at most one key source; bad values are named', () => {
    refused({ ...base, jwksUri: 'https://x/jwks' }, /one key source/);
    refused({ issuer: ISSUER, audience: AUDIENCE, jwksUri: 'not a url' }, /jwksUri must be an absolute URL/);
    refused({ issuer: 'not-a-url', audience: AUDIENCE }, /issuer must be a URL to discover keys/);
    refused({ ...base, clockTolerance: -1 }, /clockTolerance/);
    refused({ ...base, cache: { maxEntries: 0 } }, /cache.maxEntries/);
    refused({ ...base, maxTokenLength: 10 }, /maxTokenLength/);
    refused({ ...base, validators: { tenant: null } }, /validators.tenant/);
    refused({ ...base, strict: true, typ: 'JWT' }, /strict/);
    refused(
      { issuer: ISSUER, audience: AUDIENCE, keys: { keys: [{ kty: 'RSA', n: 'AQAB', e: 'AQAB' }] } },
      /keys/,
    );
  });

  test('a shared secret validates HS256 tokens in constant time; a short secret is refused per token', async () => {
    const secret = 'a-shared-secret-of-32-bytes-long';
    const v = createTokenValidator({ issuer: ISSUER, audience: AUDIENCE, secret, algorithms: ['HS256'] });
    await v.validate(signJws({ alg: 'HS256', typ: 'at+jwt' }, claims(), Buffer.from(secret), 'HS256'));
    await rejectsWith(
      v.validate(signJws({ alg: 'HS256' }, claims(), Buffer.from(`${secret}x`), 'HS256')),
      'signature_invalid',
    );
    const short = createTokenValidator({
      issuer: ISSUER,
      audience: AUDIENCE,
      secret: 'short',
      algorithms: ['HS256'],
    });
    await rejectsWith(
      short.validate(signJws({ alg: 'HS256' }, claims(), Buffer.from('short'), 'HS256')),
      'key_not_found',
    );
  });

  test('a local JWK Set (keys) validates tokens', async () => {
    const k = testKey('ES256');
    const v = createTokenValidator({ issuer: ISSUER, audience: AUDIENCE, keys: { keys: [k.jwk] } });
    await v.validate(signJws({ alg: 'ES256', kid: k.kid }, claims(), k.privateKey, 'ES256'));
    await v.close();
  });

  test('close() closes owned key sources but not an injected one', async () => {
    const source = new CountingKeySource([]);
    const v = createTokenValidator({ ...base, keySource: source });
    await v.close();
    assert.equal(source.closed, false);
  });
});
