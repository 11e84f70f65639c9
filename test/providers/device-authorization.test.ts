/**
 * RFC 8628 device authorization and polling against real providers: oidc-provider end to end (the user's
 * step played through its development interactions with plain HTTP: test/support/interactions.ts), and
 * glewlwyd's device authorization request with pending polling (its user step needs a glewlwyd login
 * session and consent UI, not driven here).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import {
  DeviceAuthorizationRequest,
  DeviceTokenRequest,
  type HttpClient,
  pollDeviceToken,
  requestDeviceAuthorization,
  requestDeviceToken,
} from '@identity-model/core';
import { startGlewlwyd, type TestGlewlwyd } from '../support/glewlwyd.js';
import { startIdp, type TestIdp } from '../support/idp.js';
import { completeDeviceFlow } from '../support/interactions.js';
import { useProvider } from '../support/provider-suite.js';
import { providerSkip } from '../support/providers-available.js';

// oidc-provider sends no `interval` (5 s by RFC 8628 §3.2): 0.02 makes each wait 100 ms.
const TIME_SCALE = 0.02;

describe('device authorization: oidc-provider, end to end', () => {
  let idp: TestIdp;
  let http: HttpClient;

  useProvider(startIdp, (p, h) => {
    idp = p;
    http = h;
  });

  const authorize = () =>
    requestDeviceAuthorization(
      new DeviceAuthorizationRequest({
        authority: idp.issuer,
        clientId: idp.userClients.device.clientId,
        clientAuthentication: 'none',
        scope: 'openid profile email',
      }),
      http,
    );
  const poll = (device: Awaited<ReturnType<typeof authorize>>) =>
    pollDeviceToken(
      {
        authority: idp.issuer,
        clientId: idp.userClients.device.clientId,
        clientAuthentication: 'none',
        deviceAuthorization: device,
        timeScale: TIME_SCALE,
      },
      http,
    );
  /** Waits until the device has polled at least once, so the real `authorization_pending` path is taken. */
  const firstPoll = async (before: number) => {
    while (idp.counts.token <= before) await delay(20);
  };

  test('the device gets codes, the user approves in the browser step, polling returns the tokens', async () => {
    const device = await authorize();
    assert.equal(device.isSuccessful, true, device.error);
    assert.equal(device.verificationUri, `${idp.issuer}/device`);
    assert.match(device.verificationUriComplete ?? '', /user_code=/);
    assert.equal(device.interval, 5);
    assert.ok(device.expiresIn !== undefined && device.expiresIn <= 600);
    const tokensBefore = idp.counts.token;
    const polling = poll(device);
    await firstPoll(tokensBefore);
    const page = await completeDeviceFlow(device.verificationUriComplete as string, { login: 'alice' });
    assert.equal(page.title, 'Sign-in Success', page.steps.join('\n'));
    const tokens = await polling;
    assert.equal(tokens.outcome, 'issued', tokens.error);
    assert.ok(tokens.polls >= 2, `a pending answer first, then the tokens (polls: ${tokens.polls})`);
    assert.ok(tokens.accessToken);
    assert.ok(tokens.idToken);
  });

  test('the user starts at verification_uri and types the user code', async () => {
    const device = await authorize();
    const polling = poll(device);
    const page = await completeDeviceFlow(device.verificationUri as string, {
      login: 'bob',
      userCode: device.userCode as string,
    });
    assert.equal(page.title, 'Sign-in Success', page.steps.join('\n'));
    assert.equal((await polling).outcome, 'issued');
  });

  for (const abortAt of ['consent', 'device-confirm'] as const) {
    test(`the user refuses (${abortAt}): polling ends with access_denied`, async () => {
      const device = await authorize();
      const tokensBefore = idp.counts.token;
      const polling = poll(device);
      await firstPoll(tokensBefore);
      await completeDeviceFlow(device.verificationUriComplete as string, { login: 'carol', abortAt });
      const tokens = await polling;
      assert.equal(tokens.outcome, 'access_denied');
      assert.equal(tokens.errorType, 'protocol');
      assert.equal(tokens.accessToken, undefined);
    });
  }

  test('abort: the device gives up while the user has not acted; no token request follows', async () => {
    const device = await authorize();
    const controller = new AbortController();
    const tokensBefore = idp.counts.token;
    const polling = pollDeviceToken(
      {
        address: `${idp.issuer}/token`,
        clientId: idp.userClients.device.clientId,
        clientAuthentication: 'none',
        deviceAuthorization: device,
        signal: controller.signal,
        timeScale: TIME_SCALE,
      },
      http,
    );
    await firstPoll(tokensBefore);
    controller.abort();
    const tokens = await polling;
    assert.equal(tokens.outcome, 'aborted');
    const after = idp.counts.token;
    await delay(300);
    assert.equal(idp.counts.token, after);
  });
});

const skipGlewlwyd = providerSkip('glewlwyd');

describe('device authorization: glewlwyd (request and pending polling)', () => {
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

  test('the device gets codes, and polling sees authorization_pending until it stops at expires_in', {
    skip: skipGlewlwyd,
  }, async () => {
    const client = {
      clientId: gw.clients.basic.clientId,
      clientSecret: gw.clients.basic.clientSecret,
      basicAuthenticationHeaderStyle: 'rfc2617' as const,
    };
    const device = await requestDeviceAuthorization(
      new DeviceAuthorizationRequest({ authority: gw.issuer, ...client, scope: 'read' }),
      http,
    );
    assert.equal(device.isSuccessful, true, device.error);
    assert.equal(device.interval, 5);
    assert.equal(device.expiresIn, 600);
    assert.ok(device.userCode);
    assert.ok(URL.canParse(device.verificationUri ?? ''));

    const once = await requestDeviceToken(
      new DeviceTokenRequest({
        address: `${gw.issuer}/token`,
        ...client,
        deviceCode: device.deviceCode as string,
      }),
      http,
    );
    assert.equal(once.errorType, 'protocol');
    assert.equal(once.error, 'authorization_pending');

    const tokensBefore = gw.counts.token;
    // A 30 s lifetime at a 0.05 scale: 1.5 s of polling every 250 ms (or slower, if glewlwyd says slow_down).
    const tokens = await pollDeviceToken(
      { authority: gw.issuer, ...client, deviceAuthorization: device, expiresIn: 30, timeScale: 0.05 },
      http,
    );
    assert.equal(tokens.outcome, 'expired_token', tokens.error);
    assert.equal(tokens.errorType, 'exception');
    assert.ok(tokens.polls >= 2);
    assert.equal(gw.counts.token - tokensBefore, tokens.polls);
    // glewlwyd says slow_down to a device that polls faster than its 5 s (real time): each adds 5 s.
    assert.ok(tokens.interval >= 10, `interval after glewlwyd's slow_down: ${tokens.interval}`);
  });
});
