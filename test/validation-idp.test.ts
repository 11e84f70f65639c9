/** Token validation against a real oidc-provider on loopback: discovery, key sets, rotation, outage. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  closeValidateTokenCache,
  createHttpClient,
  createTokenValidator,
  TokenValidationError,
  type TokenValidator,
  validateToken,
} from '@identity-model/core';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { startIdp, type TestIdp } from './support/idp.js';

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    assert.ok(error instanceof TokenValidationError, String(error));
    return error.code;
  }
}

describe('token validation against oidc-provider', () => {
  let idp: TestIdp;
  const validators: TokenValidator[] = [];
  const validator = (options: Partial<Parameters<typeof createTokenValidator>[0]> = {}) => {
    const v = createTokenValidator({
      issuer: idp.issuer,
      audience: idp.audience,
      keySet: { cooldownMs: 0 },
      ...options,
    });
    validators.push(v);
    return v;
  };

  before(async () => {
    idp = await startIdp();
  });
  after(async () => {
    await Promise.all(validators.map((v) => v.close()));
    await closeValidateTokenCache();
    await idp.close();
  });

  for (const alg of ['RS256', 'PS256', 'ES256', 'EdDSA'] as const) {
    test(`a real ${alg} JWT access token validates through discovery, as jose says`, async () => {
      const v = validator();
      const token = await idp.getToken({ alg, scope: 'read' });
      const result = await v.validate(token);
      assert.equal(result.header.alg, alg);
      assert.equal(result.claims.iss, idp.issuer);
      assert.deepEqual(result.scopes, ['read']);
      assert.equal(result.principal.findFirst('client_id')?.value, `svc-basic-${alg.toLowerCase()}`);
      await jwtVerify(token, createLocalJWKSet(idp.publicJwks()), {
        issuer: idp.issuer,
        audience: idp.audience,
      });
    });
  }

  test('after the first token, validating makes no network request (new tokens included)', async () => {
    const tokens = await Promise.all([1, 2, 3].map(() => idp.getToken()));
    const v = validator();
    idp.resetCounts();
    for (let i = 0; i < 100; i++) await v.validate(tokens[i % 3]!);
    assert.deepEqual([idp.counts.discovery, idp.counts.jwks], [1, 1]);
  });

  test('validateToken (seed shape): the 100th call with a rebuilt config makes no request', async () => {
    const token = await idp.getToken();
    idp.resetCounts();
    for (let i = 0; i < 100; i++) {
      const claims = await validateToken(
        token,
        { performDisco: true, audience: idp.audience, options: { verifyAud: true, leeway: 5 } },
        idp.issuer,
      );
      assert.equal(claims.iss, idp.issuer);
    }
    assert.deepEqual([idp.counts.discovery, idp.counts.jwks], [1, 1]);
    await assert.rejects(
      validateToken(token, { performDisco: true, audience: 'urn:other' }, idp.issuer),
      (e: TokenValidationError) => e.code === 'audience_invalid',
    );
    await assert.rejects(
      validateToken(
        token,
        { performDisco: true, audience: idp.audience, options: { verifySignature: false } },
        idp.issuer,
      ),
      { name: 'ConfigurationError' },
    );
  });

  test('a key rotation at the provider is followed with exactly one refetch; dropped keys stop validating', async () => {
    const v = validator({ keySet: { cooldownMs: 0, minTtlMs: 0, maxTtlMs: 300, defaultTtlMs: 300 } });
    const before = await idp.getToken();
    await v.validate(before);
    idp.resetCounts();
    await idp.rotateKeys();
    const rotated = await idp.getToken();
    await v.validate(rotated);
    assert.equal(idp.counts.jwks, 1, 'one refetch for the new kid');
    assert.equal(idp.counts.discovery, 0);
    await v.validate(before);

    await idp.rotateKeys({ dropOld: true });
    const fresh = await idp.getToken();
    await new Promise((r) => setTimeout(r, 400)); // past the key set's TTL: the next miss refreshes it
    await v.validate(fresh);
    assert.equal(await code(v.validate(before)), 'key_not_found');
    assert.equal(await code(v.validate(rotated)), 'key_not_found');
  });

  test('jwksUri skips discovery; an issuer predicate discovers each accepted tenant, bounded by maxIssuers', async () => {
    const token = await idp.getToken();
    idp.resetCounts();
    await validator({ jwksUri: `${idp.issuer}/jwks` }).validate(token);
    assert.deepEqual([idp.counts.discovery, idp.counts.jwks], [0, 1]);

    const other = await startIdp();
    try {
      const local = (iss: string) => iss.startsWith('http://127.0.0.1:');
      const v = validator({ issuer: local, discovery: { maxIssuers: 1 } });
      const fromOther = await other.getToken();
      idp.resetCounts();
      for (let i = 0; i < 2; i++) {
        await v.validate(token);
        await v.validate(fromOther);
      }
      // Both validate, but only one issuer's keys are kept at a time: re-admitting idp after other evicted it
      // costs a fresh discovery (an evicted key source is closed, and its cached tokens die with it).
      assert.deepEqual([idp.counts.discovery, idp.counts.jwks], [2, 2]);
      assert.equal(
        await code(v.validate(await idp.signToken({ iss: 'https://elsewhere.example' }))),
        'issuer_invalid',
      );
    } finally {
      await other.close();
    }
  });

  test('a token naming an issuer outside the list is refused with no request to it', async () => {
    const other = await startIdp();
    const third = await startIdp();
    try {
      const v = validator({ issuer: [idp.issuer, other.issuer] });
      await v.validate(await idp.getToken());
      await v.validate(await other.getToken());
      const foreign = await third.getToken();
      third.resetCounts();
      assert.equal(await code(v.validate(foreign)), 'issuer_invalid');
      assert.deepEqual([third.counts.discovery, third.counts.jwks], [0, 0]);
      // Same kid space, wrong set: a token from `other` relabelled as `idp` would need idp's keys.
      const forged = await other.signToken({ iss: idp.issuer });
      assert.equal(await code(v.validate(forged)), 'key_not_found');
    } finally {
      await other.close();
      await third.close();
    }
  });

  test('a provider that cannot be reached with no cached keys gives keys_unavailable (then recovers)', async () => {
    const token = await idp.getToken();
    await idp.stop();
    const httpClient = createHttpClient({ retryCount: 0 });
    try {
      const v = validator({ httpClient });
      const error = await v.validate(token).catch((e: unknown) => e);
      assert.ok(error instanceof TokenValidationError);
      assert.equal(error.code, 'keys_unavailable');
      assert.ok((error.retryAfter ?? 0) > 0);
      assert.ok(error.cause !== undefined);
    } finally {
      await idp.restart();
      await httpClient.close();
    }
    await validator().validate(token);
  });

  test('discovery.failureBackoffMs bounds how long a cold validator keeps answering keys_unavailable', async () => {
    const token = await idp.getToken();
    await idp.stop();
    const httpClient = createHttpClient({ retryCount: 0 });
    const v = validator({ httpClient, discovery: { failureBackoffMs: 200 } });
    try {
      const error = await v.validate(token).catch((e: unknown) => e);
      assert.ok(error instanceof TokenValidationError);
      assert.equal(error.code, 'keys_unavailable');
      await idp.restart();
      // Inside the backoff the failure is served without a new fetch; after it, the same validator recovers.
      await new Promise((resolve) => setTimeout(resolve, 400));
      const validated = await v.validate(token);
      assert.equal(validated.claims.iss, idp.issuer);
    } finally {
      await idp.restart();
      await v.close();
      await httpClient.close();
    }
  });
});
