import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { after, before, describe, test } from 'node:test';
import {
  ClientCredentialsTokenManager,
  createHttpClient,
  createTokenValidator,
  DIAGNOSTICS_CHANNELS,
  type HttpClient,
} from '@identity-model/core';
import { startIdp, type TestIdp } from './support/idp.js';

// The diagnostics events against a real oidc-provider: its discovery document, its key set, its token endpoint.
describe('diagnostics_channel events against oidc-provider', () => {
  let idp: TestIdp;
  let http: HttpClient;
  const seen: { name: string | symbol; message: Record<string, unknown> }[] = [];
  const record = (message: unknown, name: string | symbol) => {
    seen.push({ name, message: message as Record<string, unknown> });
  };
  const on = (name: string) =>
    seen
      .filter((s) => s.name === name)
      .map(({ message: { durationMs, ...rest } }) => {
        assert.ok(typeof durationMs === 'number' && durationMs >= 0);
        return rest;
      });
  before(async () => {
    idp = await startIdp();
    http = createHttpClient({ retryCount: 0 });
    for (const name of Object.values(DIAGNOSTICS_CHANNELS)) subscribe(name, record);
  });
  after(async () => {
    for (const name of Object.values(DIAGNOSTICS_CHANNELS)) unsubscribe(name, record);
    await http.close();
    await idp.close();
  });

  test('a token from the token endpoint, validated: every exchange published, no token or secret', async () => {
    const { clientId, clientSecret } = idp.clients.basic;
    const manager = new ClientCredentialsTokenManager({
      issuer: idp.issuer,
      clientId,
      clientSecret,
      scope: 'read',
      resource: idp.audience,
      httpClient: http,
    });
    const validator = createTokenValidator({ issuer: idp.issuer, audience: idp.audience, httpClient: http });
    after(() => Promise.all([manager.close(), validator.close()]));

    const { accessToken } = await manager.getToken();
    await manager.getToken();
    await validator.validate(accessToken);

    const cacheKey = manager.cacheKey;
    const wellKnown = `${idp.issuer}/.well-known/openid-configuration`;
    assert.deepEqual(on(DIAGNOSTICS_CHANNELS.discoveryFetch), [
      { url: wellKnown, reason: 'uncached', outcome: 'ok', status: 200 }, // the manager's endpoint lookup
      { url: wellKnown, reason: 'initial', outcome: 'ok', status: 200 }, // the validator's key source
    ]);
    assert.deepEqual(on(DIAGNOSTICS_CHANNELS.tokenRequest), [
      { clientId, cacheKey, outcome: 'ok', status: 200 },
    ]);
    assert.deepEqual(
      seen.filter((s) => s.name === DIAGNOSTICS_CHANNELS.tokenCacheHit).map((s) => s.message),
      [{ clientId, cacheKey, source: 'memory' }],
    );
    const [jwks] = on(DIAGNOSTICS_CHANNELS.keySetFetch);
    assert.equal(jwks?.reason, 'initial');
    assert.equal(jwks?.outcome, 'ok');
    assert.ok(typeof jwks?.keys === 'number' && jwks.keys >= 1);
    assert.deepEqual(on(DIAGNOSTICS_CHANNELS.validation), [{ outcome: 'ok', issuer: idp.issuer }]);

    const text = JSON.stringify(seen);
    for (const secret of [accessToken, clientSecret, accessToken.split('.')[1]!]) {
      assert.ok(!text.includes(secret), 'no token or secret in any event');
    }
  });
});
