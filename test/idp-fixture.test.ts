import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { startIdp, type TestIdp } from './support/idp.js';

// The fixture every integration test stands on: prove it issues what the tests assume.
describe('test identity provider fixture', () => {
  let idp: TestIdp;
  before(async () => {
    idp = await startIdp();
  });
  after(() => idp.close());

  test('publishes discovery and a key set, and counts requests', async () => {
    const res = await fetch(`${idp.issuer}/.well-known/openid-configuration`);
    const doc = (await res.json()) as { issuer: string; jwks_uri: string };
    assert.equal(doc.issuer, idp.issuer);
    const jwks = (await (await fetch(doc.jwks_uri)).json()) as { keys: unknown[] };
    assert.equal(jwks.keys.length, 3);
    assert.equal(idp.counts.discovery, 1);
    assert.equal(idp.counts.jwks, 1);
  });

  for (const alg of ['RS256', 'PS256', 'ES256', 'EdDSA'] as const) {
    test(`issues ${alg} JWT access tokens for the API audience`, async () => {
      const token = await idp.getToken({ alg, scope: 'read' });
      const header = decodeProtectedHeader(token);
      assert.equal(header.alg, alg);
      assert.equal(header.typ, 'at+jwt');
      const { payload } = await jwtVerify(token, createLocalJWKSet(idp.publicJwks()), {
        issuer: idp.issuer,
        audience: idp.audience,
      });
      assert.equal(payload.scope, 'read');
    });
  }

  test('the read-only client cannot get write', async () => {
    await assert.rejects(idp.getToken({ client: idp.clients.readOnly, scope: 'write' }), /invalid_scope/);
  });

  test('an unknown resource is refused as invalid_target', async () => {
    await assert.rejects(idp.getToken({ resource: 'urn:not-registered' }), /invalid_target/);
  });

  test('rotation publishes a new signing key and stop/restart plays an outage', async () => {
    const before = idp.publicJwks().keys.length;
    await idp.rotateKeys();
    assert.equal(idp.publicJwks().keys.length, before + 3);
    const token = await idp.getToken();
    assert.equal(decodeProtectedHeader(token).kid, idp.publicJwks().keys[0]?.kid);
    await idp.stop();
    await assert.rejects(fetch(`${idp.issuer}/jwks`));
    await idp.restart();
    assert.equal((await fetch(`${idp.issuer}/jwks`)).status, 200);
  });
});
