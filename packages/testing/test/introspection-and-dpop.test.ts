import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  createHttpClient,
  createTokenValidator,
  introspectToken,
  jwkThumbprint,
  TokenIntrospectionRequest,
} from '@identity-model/core';
import { createDPoPProof, createTestIssuer, generateDPoPKey, type TestIssuer } from '../src/index.js';

const http = createHttpClient({ env: {}, retryCount: 0, timeoutMs: 5_000 });
let issuer: TestIssuer;

before(async () => {
  issuer = await createTestIssuer({ algorithms: ['ES256'] });
});
after(async () => {
  await issuer.close();
  await http.close();
});

function introspect(token: string, client = { clientId: 'test-client', clientSecret: 'test-secret' }) {
  return introspectToken(
    new TokenIntrospectionRequest({ address: issuer.introspectionEndpoint, token, ...client }),
    http,
  );
}

function decode(part: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>;
}

describe('opaque tokens and the introspection endpoint (RFC 7662)', () => {
  test('an opaque token is active with its claims until revoked, then inactive', async () => {
    const token = issuer.createOpaqueToken({ sub: 'alice', scope: 'read', claims: { tenant: 't1' } });
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    const active = await introspect(token);
    assert.equal(active.isSuccessful, true, active.error);
    assert.equal(active.isActive, true);
    assert.equal(active.sub, 'alice');
    assert.deepEqual(active.scopes, ['read']);
    assert.equal(active.iss, issuer.issuer);
    assert.equal(active.tokenType, 'Bearer');
    assert.equal(active.claims.tenant, 't1');
    assert.equal(issuer.revoke(token), true);
    const revoked = await introspect(token);
    assert.equal(revoked.isSuccessful, true);
    assert.equal(revoked.isActive, false);
    assert.deepEqual(issuer.requests.introspection, 2);
  });

  test('an expired, a not-yet-valid or an unknown token is inactive', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const token of [
      issuer.createOpaqueToken({ exp: now - 1 }),
      issuer.createOpaqueToken({ nbf: now + 600 }),
      'never-issued',
    ]) {
      assert.equal((await introspect(token)).isActive, false);
    }
  });

  test('JWTs the issuer minted are known to introspection too', async () => {
    const response = await introspect(issuer.createToken({ sub: 'bob' }));
    assert.equal(response.isActive, true);
    assert.equal(response.sub, 'bob');
  });

  test('introspection refuses an unauthenticated caller with invalid_client (RFC 7662 §2.1)', async () => {
    const response = await introspect(issuer.createOpaqueToken(), {
      clientId: 'test-client',
      clientSecret: 'guess',
    });
    assert.equal(response.isSuccessful, false);
    assert.equal(response.error, 'invalid_client');
    assert.equal(response.httpStatus, 401);
  });
});

describe('DPoP-bound tokens (RFC 9449)', () => {
  test('createToken({ dpop }) binds the token: cnf.jkt is the RFC 7638 thumbprint of the public key', async () => {
    const key = generateDPoPKey();
    const token = issuer.createToken({ dpop: key });
    const claims = decode(token.split('.')[1]!);
    assert.deepEqual(claims.cnf, { jkt: jwkThumbprint(key.publicJwk) });
    const validator = createTokenValidator({ issuer: issuer.issuer, audience: 'test-api', httpClient: http });
    try {
      const result = await validator.validate(token);
      assert.deepEqual(result.claims.cnf, { jkt: jwkThumbprint(key.publicJwk) });
    } finally {
      await validator.close();
    }
    const opaque = await introspect(issuer.createOpaqueToken({ dpop: key.publicJwk }));
    assert.equal(opaque.tokenType, 'DPoP');
    assert.deepEqual(opaque.cnf, { jkt: jwkThumbprint(key.publicJwk) });
  });

  test('a proof made with the re-exported createDPoPProof carries only the public key in its header', async () => {
    for (const alg of ['ES256', 'RS256', 'EdDSA'] as const) {
      const key = generateDPoPKey(alg);
      const proof = await createDPoPProof({ key, htm: 'GET', htu: `${issuer.issuer}/orders?x=1` });
      const header = decode(proof.split('.')[0]!);
      const jwk = header.jwk as Record<string, unknown>;
      assert.equal(header.typ, 'dpop+jwt');
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'])
        assert.ok(!(member in jwk), `${alg}: ${member}`);
      assert.equal(jwkThumbprint(jwk), jwkThumbprint(key.publicJwk));
      assert.equal(decode(proof.split('.')[1]!).htu, `${issuer.issuer}/orders`);
    }
  });
});
