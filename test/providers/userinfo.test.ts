/**
 * OIDC Core §5.3 UserInfo against real providers. oidc-provider: a user's access token from the device flow
 * (the user step through test/support/interactions.ts), userinfo as JSON and as a signed JWT verified with
 * the provider's JWKS from discovery. django-oauth-toolkit and glewlwyd: their fixtures issue only
 * client-credentials tokens (no user), so what is proven there is how they refuse, typed and parsed.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DeviceAuthorizationRequest,
  getUserInfo,
  type HttpClient,
  pollDeviceToken,
  requestDeviceAuthorization,
  UserInfoRequest,
} from '@identity-model/core';
import { decodeJwt } from 'jose';
import { startDjangoOAuthToolkit, type TestDjangoOAuthToolkit } from '../support/django-oauth-toolkit.js';
import { startGlewlwyd, type TestGlewlwyd } from '../support/glewlwyd.js';
import { type IdpUserClient, startIdp, type TestIdp } from '../support/idp.js';
import { completeDeviceFlow } from '../support/interactions.js';
import { useProvider } from '../support/provider-suite.js';
import { providerSkip } from '../support/providers-available.js';

describe('userinfo: oidc-provider', () => {
  let idp: TestIdp;
  let http: HttpClient;
  useProvider(startIdp, (p, h) => {
    idp = p;
    http = h;
  });

  /** A user's tokens through the library's own device flow, the user step played over HTTP. */
  async function userTokens(client: IdpUserClient, login: string) {
    const common = {
      authority: idp.issuer,
      clientId: client.clientId,
      clientAuthentication: 'none' as const,
    };
    const device = await requestDeviceAuthorization(
      new DeviceAuthorizationRequest({ ...common, scope: 'openid profile email' }),
      http,
    );
    assert.equal(device.isSuccessful, true, device.error);
    const polling = pollDeviceToken({ ...common, deviceAuthorization: device, timeScale: 0.02 }, http);
    await completeDeviceFlow(device.verificationUriComplete as string, { login });
    const tokens = await polling;
    assert.equal(tokens.outcome, 'issued', tokens.error);
    return {
      accessToken: tokens.accessToken as string,
      sub: decodeJwt(tokens.idToken as string).sub as string,
    };
  }

  test('JSON userinfo: sub matches the ID token, standard claims typed (GET and POST)', async () => {
    const { accessToken, sub } = await userTokens(idp.userClients.device, 'alice');
    for (const method of ['GET', 'POST'] as const) {
      const before = idp.counts.userinfo;
      const info = await getUserInfo(
        new UserInfoRequest({ authority: idp.issuer, token: accessToken, method, expectedSubject: sub }),
        http,
      );
      assert.equal(info.isSuccessful, true, info.error);
      assert.equal(idp.counts.userinfo, before + 1);
      assert.equal(info.sub, 'alice');
      assert.equal(info.name, 'User alice');
      assert.equal(info.email, 'alice@example.test');
      assert.equal(info.emailVerified, true);
      assert.equal(info.signedHeader, undefined);
    }
  });

  test("sub mismatch: the real answer for alice is refused when bob's ID token sub is expected", async () => {
    const { accessToken } = await userTokens(idp.userClients.device, 'alice');
    const info = await getUserInfo(
      new UserInfoRequest({ authority: idp.issuer, token: accessToken, expectedSubject: 'bob' }),
      http,
    );
    assert.equal(info.isSuccessful, false);
    assert.equal(info.errorType, 'exception');
    assert.equal(info.sub, undefined);
  });

  test("an unknown token: oidc-provider's 401 challenge is parsed (invalid_token)", async () => {
    const info = await getUserInfo(
      new UserInfoRequest({ authority: idp.issuer, token: 'not-a-real-token' }),
      http,
    );
    assert.equal(info.httpStatus, 401);
    assert.equal(info.errorType, 'protocol');
    assert.equal(info.error, 'invalid_token');
    assert.equal(info.challenges[0]?.scheme, 'bearer');
    assert.equal(info.challenges[0]?.params.error, 'invalid_token');
  });

  test('signed userinfo (userinfo_signed_response_alg RS256) is verified with the discovered JWKS', async () => {
    const client = idp.userClients.deviceSignedUserinfo;
    const { accessToken, sub } = await userTokens(client, 'dana');
    const info = await getUserInfo(
      new UserInfoRequest({
        authority: idp.issuer,
        token: accessToken,
        clientId: client.clientId,
        expectedSubject: sub,
      }),
      http,
    );
    assert.equal(info.isSuccessful, true, info.error);
    assert.equal(info.signedHeader?.alg, 'RS256');
    assert.equal(info.sub, 'dana');
    assert.equal(info.claims.iss, idp.issuer);
    assert.equal(info.claims.aud, client.clientId);
    assert.equal(info.email, 'dana@example.test');
  });

  test('signed userinfo for our token but checked as another client (aud) is refused', async () => {
    const client = idp.userClients.deviceSignedUserinfo;
    const { accessToken } = await userTokens(client, 'erin');
    const info = await getUserInfo(
      new UserInfoRequest({ authority: idp.issuer, token: accessToken, clientId: 'someone-else' }),
      http,
    );
    assert.equal(info.isSuccessful, false);
    assert.match(info.error ?? '', /audience_invalid/);
    const unverifiable = await getUserInfo(
      new UserInfoRequest({ authority: idp.issuer, token: accessToken }),
      http,
    );
    assert.equal(unverifiable.isSuccessful, false);
    assert.equal(unverifiable.sub, undefined);
  });
});

const skipDot = providerSkip('django-oauth-toolkit');

describe('userinfo: django-oauth-toolkit (refusals of a client-credentials token)', () => {
  let dot: TestDjangoOAuthToolkit;
  let http: HttpClient;

  useProvider(
    startDjangoOAuthToolkit,
    (p, h) => {
      dot = p;
      http = h;
    },
    skipDot,
  );

  test("a token without the openid scope: DOT's 401 Bearer challenge is parsed", {
    skip: skipDot,
  }, async () => {
    const token = await dot.getToken({ scope: 'read' });
    const info = await getUserInfo(new UserInfoRequest({ address: dot.endpoints.userinfo, token }), http);
    assert.equal(info.httpStatus, 401);
    assert.equal(info.errorType, 'protocol');
    assert.equal(info.error, 'invalid_token');
    assert.match(info.errorDescription ?? '', /invalid/);
    assert.equal(info.challenges[0]?.scheme, 'bearer');
  });

  test('the userinfo endpoint is found through discovery', { skip: skipDot }, async () => {
    const info = await getUserInfo(
      new UserInfoRequest({ authority: dot.issuer, token: 'unknown-token' }),
      http,
    );
    assert.equal(info.httpStatus, 401);
    assert.equal(info.error, 'invalid_token');
    assert.equal(dot.counts.userinfo > 0, true);
  });
});

const skipGlewlwyd = providerSkip('glewlwyd');

describe('userinfo: glewlwyd (refusals)', () => {
  let gw: TestGlewlwyd;
  let http: HttpClient;

  useProvider(
    startGlewlwyd,
    (p, h) => {
      gw = p;
      http = h;
    },
    skipGlewlwyd,
  );

  test('an unknown token: a 401 without a challenge is an http response', {
    skip: skipGlewlwyd,
  }, async () => {
    const info = await getUserInfo(
      new UserInfoRequest({ authority: gw.issuer, token: 'unknown-token' }),
      http,
    );
    assert.equal(info.httpStatus, 401);
    assert.equal(info.errorType, 'http');
    assert.deepEqual(info.challenges, []);
  });

  test('a client-credentials token (no user): glewlwyd answers 404, an http response', {
    skip: skipGlewlwyd,
  }, async () => {
    const token = await gw.getToken({ scope: 'read' });
    const info = await getUserInfo(new UserInfoRequest({ authority: gw.issuer, token }), http);
    assert.equal(info.isSuccessful, false);
    assert.equal(info.httpStatus, 404);
    assert.equal(info.errorType, 'http');
  });
});
