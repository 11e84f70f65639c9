import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, beforeEach, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import {
  DeviceAuthorizationResponse,
  type DeviceTokenPollOptions,
  pollDeviceToken,
} from '../../src/device-authorization/index.js';
import { ConfigurationError } from '../../src/errors.js';
import { createHttpClient } from '../../src/http/index.js';
import type { HttpClient } from '../../src/http/types.js';
import { json, type LocalServer, startServer } from '../token/local-server.js';

// Every test compresses time with `timeScale` (a 1 s interval is 50 ms): the waits are measured between the
// arrivals of the token requests at a real loopback server that answers a scripted sequence.
const SCALE = 0.05;
const UNIT_MS = 1000 * SCALE;

type Step =
  | { status: number; body: unknown; delayMs?: number }
  | 'pending'
  | 'slow_down'
  | 'denied'
  | 'expired';

const NAMED: Record<string, { error: string; error_description?: string }> = {
  pending: { error: 'authorization_pending' },
  slow_down: { error: 'slow_down' },
  denied: { error: 'access_denied', error_description: 'the user said no' },
  expired: { error: 'expired_token' },
};

function answer(res: ServerResponse, step: Step): void {
  if (typeof step === 'string') json(res, 400, NAMED[step]);
  else json(res, step.status, step.body);
}

const ISSUED = { status: 200, body: { access_token: 'at_device_1', token_type: 'Bearer', expires_in: 300 } };

describe('pollDeviceToken (RFC 8628 §3.4-3.5) against a scripted local token endpoint', () => {
  let http: HttpClient;
  let server: LocalServer;
  let script: Step[] = [];
  let arrivals: number[] = [];

  before(async () => {
    http = createHttpClient({ retryCount: 0 });
    server = await startServer(async (_req, res) => {
      arrivals.push(performance.now());
      const step = script.length > 1 ? (script.shift() as Step) : (script[0] ?? 'pending');
      if (typeof step === 'object' && step.delayMs) await delay(step.delayMs);
      if (!res.destroyed) answer(res, step);
    });
  });
  beforeEach(() => {
    arrivals = [];
    server.requests.length = 0;
  });
  after(async () => {
    await http.close();
    await server.close();
  });

  const poll = (options: Partial<DeviceTokenPollOptions> = {}) =>
    pollDeviceToken(
      {
        address: server.url,
        clientId: 'tv-app',
        deviceCode: 'dc_1',
        interval: 1,
        expiresIn: 600,
        timeScale: SCALE,
        ...options,
      },
      http,
    );
  const gaps = () => arrivals.slice(1).map((t, i) => t - (arrivals[i] as number));

  test('keeps polling on authorization_pending and returns the tokens once issued', async () => {
    script = ['pending', 'pending', ISSUED];
    const started = performance.now();
    const response = await poll();
    assert.equal(response.outcome, 'issued');
    assert.equal(response.isSuccessful, true);
    assert.equal(response.accessToken, 'at_device_1');
    assert.equal(response.polls, 3);
    // The first request waits the interval too (RFC 8628 §3.5: "wait at least interval seconds").
    assert.ok((arrivals[0] as number) - started >= UNIT_MS * 0.9);
    const form = server.requests[0]?.form;
    assert.equal(form?.get('grant_type'), 'urn:ietf:params:oauth:grant-type:device_code');
    assert.equal(form?.get('device_code'), 'dc_1');
    assert.equal(form?.get('client_id'), 'tv-app');
  });

  test('slow_down adds 5 s to the interval for that and every later request', async () => {
    script = ['pending', 'slow_down', 'pending', ISSUED];
    const response = await poll();
    assert.equal(response.outcome, 'issued');
    const [afterPending, afterSlowDown, later] = gaps();
    assert.ok((afterPending as number) < UNIT_MS * 3, `first gap ${afterPending}`);
    assert.ok(
      (afterSlowDown as number) >= UNIT_MS * 6 * 0.9,
      `gap after slow_down ${afterSlowDown} < 6 s scaled`,
    );
    assert.ok((later as number) >= UNIT_MS * 6 * 0.9, `the increase must persist: ${later}`);
    assert.equal(response.interval, 6);
  });

  test('access_denied stops polling with the access_denied outcome', async () => {
    script = ['pending', 'denied', ISSUED];
    const response = await poll();
    assert.equal(response.outcome, 'access_denied');
    assert.equal(response.errorType, 'protocol');
    assert.equal(response.error, 'access_denied');
    assert.equal(response.polls, 2);
    assert.equal(response.accessToken, undefined);
  });

  test("the server's expired_token stops polling with the expired_token outcome", async () => {
    script = ['pending', 'expired'];
    const response = await poll();
    assert.equal(response.outcome, 'expired_token');
    assert.equal(response.errorType, 'protocol');
    assert.equal(response.polls, 2);
  });

  test('polling stops at expires_in on our own clock when the server keeps saying pending', async () => {
    script = ['pending'];
    const started = performance.now();
    const response = await poll({ interval: 1, expiresIn: 5 });
    const elapsed = performance.now() - started;
    assert.equal(response.outcome, 'expired_token');
    assert.equal(response.error, 'expired_token');
    assert.equal(response.errorType, 'exception');
    // Polls at 1, 2, 3 and (unless the machine is slow) 4 intervals; never one at or past the deadline.
    assert.ok(response.polls >= 3 && response.polls <= 4, `polls: ${response.polls}`);
    assert.ok(elapsed < UNIT_MS * 5 + 200, `stopped after ${elapsed} ms`);
  });

  test('an abort during the wait settles at once, clears the timer and sends nothing', async () => {
    script = ['pending'];
    const controller = new AbortController();
    const pending = pollDeviceToken(
      {
        address: server.url,
        clientId: 'tv-app',
        deviceCode: 'dc_1',
        interval: 5,
        expiresIn: 600,
        signal: controller.signal,
      },
      http,
    );
    await delay(50);
    const abortedAt = performance.now();
    controller.abort(new Error('user left'));
    const response = await pending;
    assert.ok(performance.now() - abortedAt < 100, 'abort must settle promptly, not after the 5 s wait');
    assert.equal(response.outcome, 'aborted');
    assert.equal(response.errorType, 'exception');
    assert.equal((response.exception as Error).message, 'user left');
    assert.equal(response.polls, 0);
    assert.equal(server.requests.length, 0);
  });

  test('an abort while a request is in flight abandons it, and no request follows', async () => {
    script = [{ ...ISSUED, status: 400, body: { error: 'authorization_pending' }, delayMs: 400 }, 'pending'];
    const controller = new AbortController();
    const pending = poll({ signal: controller.signal });
    while (arrivals.length === 0) await delay(5);
    controller.abort();
    const abortedAt = performance.now();
    const response = await pending;
    assert.ok(performance.now() - abortedAt < 200, 'the in-flight request must be abandoned');
    assert.equal(response.outcome, 'aborted');
    await delay(UNIT_MS * 4);
    assert.equal(arrivals.length, 1, 'no request after the abort');
  });

  test('an already-aborted signal sends nothing', async () => {
    const response = await poll({ signal: AbortSignal.abort() });
    assert.equal(response.outcome, 'aborted');
    assert.equal(server.requests.length, 0);
  });

  test('a 503 is waited out with a doubled interval (RFC 8628 §3.5 back-off), then polling goes on', async () => {
    script = [{ status: 503, body: { message: 'busy' } }, ISSUED];
    const response = await poll();
    assert.equal(response.outcome, 'issued');
    assert.ok((gaps()[0] as number) >= UNIT_MS * 2 * 0.9, `gap after 503: ${gaps()[0]}`);
  });

  test('another OAuth error (invalid_grant) stops polling with the failed outcome', async () => {
    script = [{ status: 400, body: { error: 'invalid_grant' } }, ISSUED];
    const response = await poll();
    assert.equal(response.outcome, 'failed');
    assert.equal(response.error, 'invalid_grant');
    assert.equal(response.polls, 1);
  });

  test('a device authorization response supplies device code, interval and expiry', async () => {
    script = [ISSUED];
    const deviceAuthorization = new DeviceAuthorizationResponse(
      { httpStatus: 200 },
      {
        deviceCode: 'dc_from_response',
        userCode: 'U',
        verificationUri: 'https://as/d',
        verificationUriComplete: undefined,
        expiresIn: 600,
        interval: 1,
      },
    );
    const response = await pollDeviceToken(
      { address: server.url, clientId: 'tv-app', deviceAuthorization, timeScale: SCALE },
      http,
    );
    assert.equal(response.outcome, 'issued');
    assert.equal(server.requests[0]?.form.get('device_code'), 'dc_from_response');
  });

  test('options that cannot work are refused before anything is sent', async () => {
    const refuses = (o: Partial<DeviceTokenPollOptions>, pattern: RegExp) =>
      assert.rejects(poll(o), (e: unknown) => e instanceof ConfigurationError && pattern.test(e.message));
    await refuses({ deviceCode: '' }, /deviceCode/);
    await refuses({ expiresIn: Number.NaN }, /expiresIn/);
    await refuses({ interval: -1 }, /interval/);
    await refuses({ timeScale: 2 }, /timeScale/);
    await refuses({ clientAuthentication: 'nope' as 'none' }, /clientAuthentication/);
    assert.equal(server.requests.length, 0);
  });
});
