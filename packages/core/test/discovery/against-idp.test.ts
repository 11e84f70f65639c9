/** Discovery and JWKS against a real `oidc-provider` on loopback. */
import assert from 'node:assert/strict';
import { verify } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startIdp, type TestIdp } from '../../../../test/support/idp.js';
import { DiscoveryCache, DiscoveryDocumentRequest, getDiscoveryDocument } from '../../src/discovery/index.js';
import { createHttpClient } from '../../src/http/index.js';
import { getJwks, JwksRequest, RemoteKeySet } from '../../src/jwks/index.js';

let idp: TestIdp;
const http = createHttpClient({ env: {}, retryCount: 0, timeoutMs: 5_000 });

before(async () => {
  idp = await startIdp();
});
after(async () => {
  await http.close();
  await idp.close();
});

describe('against oidc-provider', () => {
  test('the discovery document passes the default policy, with its endpoints typed', async () => {
    idp.resetCounts();
    const doc = await getDiscoveryDocument(new DiscoveryDocumentRequest({ address: idp.issuer }), http);
    assert.equal(doc.isSuccessful, true, doc.error);
    assert.equal(doc.issuer, idp.issuer);
    assert.ok(doc.jwksUri?.startsWith(idp.issuer));
    assert.ok(doc.tokenEndpoint?.startsWith(idp.issuer));
    assert.ok(doc.grantTypesSupported?.includes('client_credentials'));
    assert.ok(doc.idTokenSigningAlgValuesSupported?.includes('RS256'));
    assert.equal(idp.counts.discovery, 1);
  });

  test('the well-known URL works as the address too', async () => {
    const address = `${idp.issuer}/.well-known/openid-configuration`;
    const doc = await getDiscoveryDocument(new DiscoveryDocumentRequest({ address }), http);
    assert.equal(doc.isSuccessful, true, doc.error);
  });

  test('the published key set parses to the keys the provider signs with', async () => {
    const doc = await getDiscoveryDocument(new DiscoveryDocumentRequest({ address: idp.issuer }), http);
    const jwks = await getJwks(new JwksRequest({ address: doc.jwksUri! }), http);
    assert.equal(jwks.isSuccessful, true, jwks.error);
    assert.deepEqual(
      jwks.keys.map((k) => k.kid).sort(),
      idp
        .publicJwks()
        .keys.map((k) => k.kid)
        .sort(),
    );
    assert.equal(jwks.rejectedKeys.length, 0);
  });

  test('DiscoveryCache: 100 concurrent cold calls reach the provider once', async () => {
    idp.resetCounts();
    const cache = new DiscoveryCache(idp.issuer, { httpClient: http });
    const docs = await Promise.all(Array.from({ length: 100 }, () => cache.get()));
    assert.ok(docs.every((d) => d.isSuccessful));
    assert.equal(idp.counts.discovery, 1);
    await cache.close();
  });

  test('RemoteKeySet: one fetch for 100 concurrent calls, a real token verifies, rotation is picked up', async () => {
    const doc = await getDiscoveryDocument(new DiscoveryDocumentRequest({ address: idp.issuer }), http);
    idp.resetCounts();
    const keys = new RemoteKeySet(doc.jwksUri!, { httpClient: http, cooldownMs: 0 });
    const token = await idp.getToken({ scope: 'read' });
    const [encodedHeader, payload, signature] = token.split('.') as [string, string, string];
    const { kid } = JSON.parse(Buffer.from(encodedHeader, 'base64url').toString()) as { kid: string };

    const results = await Promise.all(Array.from({ length: 100 }, () => keys.getKeys(kid)));
    assert.equal(idp.counts.jwks, 1);
    const key = results[0]![0]!;
    const data = Buffer.from(`${encodedHeader}.${payload}`);
    assert.equal(verify('sha256', data, key.keyObject, Buffer.from(signature, 'base64url')), true);

    await idp.rotateKeys({ dropOld: true });
    const rotated = await idp.getToken({ scope: 'read' });
    const newKid = (
      JSON.parse(Buffer.from(rotated.split('.')[0]!, 'base64url').toString()) as { kid: string }
    ).kid;
    assert.notEqual(newKid, kid);
    assert.equal((await keys.getKeys(newKid))[0]?.kid, newKid);
    assert.equal(idp.counts.jwks, 2);
    assert.equal(keys.isCurrent(key), false);
    await keys.close();
  });

  test('outage: RemoteKeySet keeps serving the keys it has while the provider is down', async () => {
    const doc = await getDiscoveryDocument(new DiscoveryDocumentRequest({ address: idp.issuer }), http);
    const keys = new RemoteKeySet(doc.jwksUri!, { httpClient: http, defaultTtlMs: 50, minTtlMs: 0 });
    const before = await keys.getKeys(undefined);
    await idp.stop();
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.deepEqual(await keys.getKeys(undefined), before);
    } finally {
      await idp.restart();
      await keys.close();
    }
  });
});
