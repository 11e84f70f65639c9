import { setTimeout as delay } from 'node:timers/promises';
import { OidcConstants } from '../constants/oidc-constants.js';
import { ConfigurationError } from '../errors.js';
import { getDefaultHttpClient } from '../http/default-client.js';
import type { HttpClient } from '../http/types.js';
import { type EndpointLocationOptions, EndpointLocator } from '../protocol/endpoint-address.js';
import { DeviceTokenRequest } from '../token/grant-requests.js';
import { requestDeviceToken } from '../token/request-token.js';
import type { TokenRequestBaseOptions } from '../token/token-request.js';
import { TokenResponse } from '../token/token-response.js';
import {
  clampInterval,
  DEFAULT_DEVICE_POLL_INTERVAL_SECONDS,
  type DeviceAuthorizationResponse,
  MAX_DEVICE_CODE_LIFETIME_SECONDS,
} from './device-authorization-response.js';
import { type DeviceTokenPollOutcome, DeviceTokenResponse } from './device-token-response.js';

const E = OidcConstants.TokenErrors;

/** RFC 8628 §3.5: `slow_down` adds 5 s to the interval, for this and every later request. */
export const SLOW_DOWN_INCREMENT_SECONDS = 5;
/** However often the server says `slow_down` or fails, we never wait longer than this between two polls. */
export const MAX_GROWN_POLL_INTERVAL_SECONDS = 300;

export interface DeviceTokenPollOptions
  extends Omit<TokenRequestBaseOptions, 'address' | 'signal' | 'scope' | 'resource'>,
    EndpointLocationOptions {
  /** The device authorization answer: its `deviceCode`, `interval` and `expiresIn`. Or give those three. */
  deviceAuthorization?: DeviceAuthorizationResponse;
  deviceCode?: string;
  /** Seconds between polls (default 5), bounded to [1, 60]. */
  interval?: number;
  /** Seconds until the device code expires: polling stops then (bounded to 1 h). */
  expiresIn?: number;
  /** Stops polling at once: no request is sent after it fires, and a request in flight is abandoned. */
  signal?: AbortSignal;
  /**
   * FOR TESTS: multiplies every wait and the expiry deadline (0 < timeScale ≤ 1, default 1), so a test of a
   * 5 s interval need not wait 5 s. Bounds and `slow_down` arithmetic apply before the scale.
   */
  timeScale?: number;
}

interface Schedule {
  deviceCode: string;
  intervalSeconds: number;
  expiresInSeconds: number;
  timeScale: number;
}

function schedule(options: DeviceTokenPollOptions): Schedule {
  const from = options.deviceAuthorization;
  if (from !== undefined && !from.isSuccessful) {
    throw new ConfigurationError(
      'deviceAuthorization: an unsuccessful response has no device code to poll with',
    );
  }
  const deviceCode = options.deviceCode ?? from?.deviceCode;
  if (typeof deviceCode !== 'string' || deviceCode.length === 0) {
    throw new ConfigurationError('deviceCode: give the device_code (or deviceAuthorization, the response)');
  }
  const interval = options.interval ?? from?.interval ?? DEFAULT_DEVICE_POLL_INTERVAL_SECONDS;
  if (typeof interval !== 'number' || !Number.isFinite(interval) || interval < 0) {
    throw new ConfigurationError('interval: a non-negative number of seconds');
  }
  const expiresIn = options.expiresIn ?? from?.expiresIn;
  if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0) {
    throw new ConfigurationError(
      'expiresIn: the positive number of seconds the device code lives (expires_in)',
    );
  }
  const timeScale = options.timeScale ?? 1;
  if (typeof timeScale !== 'number' || !(timeScale > 0 && timeScale <= 1)) {
    throw new ConfigurationError('timeScale: a number in (0, 1]; leave it out outside tests');
  }
  return {
    deviceCode,
    intervalSeconds: clampInterval(interval),
    expiresInSeconds: Math.min(expiresIn, MAX_DEVICE_CODE_LIFETIME_SECONDS),
    timeScale,
  };
}

/** A failure worth waiting out (RFC 8628 §3.5: back off on connection trouble): no answer, 429 or 5xx. */
function isTransient(response: TokenResponse): boolean {
  if (response.errorType !== 'http') return false;
  const status = response.httpStatus;
  return status === undefined || status === 429 || status >= 500;
}

/**
 * Polls the token endpoint with the device code (RFC 8628 §3.4–3.5) until the user approves or refuses, the
 * codes expire, or `signal` fires: waits `interval` before each request, adds 5 s on `slow_down`, keeps going
 * on `authorization_pending`, and doubles the wait on a network failure, 429 or 5xx (at least the
 * `Retry-After`). Resolves with the `DeviceTokenResponse` that ended it (see `outcome`); never rejects for an
 * outcome. Rejects with `ConfigurationError` for options that cannot work, before sending anything.
 */
export async function pollDeviceToken(
  options: DeviceTokenPollOptions,
  httpClient?: HttpClient,
): Promise<DeviceTokenResponse> {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigurationError('device token poll options: required');
  }
  const plan = schedule(options);
  const {
    deviceAuthorization: _d,
    deviceCode: _c,
    interval: _i,
    expiresIn: _e,
    timeScale: _t,
    authority: _a,
    discoveryPolicy: _p,
    address: _ad,
    ...tokenOptions
  } = options;
  const locator = new EndpointLocator(options, OidcConstants.Discovery.TokenEndpoint, 'token endpoint');
  const { signal } = options;
  const scaled = (seconds: number) => seconds * 1000 * plan.timeScale;
  const deadline = Date.now() + scaled(plan.expiresInSeconds);
  const client = httpClient ?? getDefaultHttpClient();
  let polls = 0;
  let intervalSeconds = plan.intervalSeconds;
  const progress = () => ({ polls, interval: intervalSeconds });
  const end = (response: TokenResponse, outcome: DeviceTokenPollOutcome) =>
    DeviceTokenResponse.from(response, outcome, progress());
  const stopped = (
    outcome: 'aborted' | 'expired_token',
    error: string,
    description: string,
    exception?: unknown,
  ) =>
    new DeviceTokenResponse(
      { errorType: 'exception', error, errorDescription: description, exception },
      outcome,
      progress(),
    );
  const aborted = () => stopped('aborted', 'aborted', 'polling was aborted by its signal', signal?.reason);

  let request: DeviceTokenRequest;
  try {
    const address = await locator.resolve(client, signal === undefined ? {} : { signal });
    // The same validation as any token request; built here, once, then sent on every poll.
    request = new DeviceTokenRequest({ ...tokenOptions, address, deviceCode: plan.deviceCode });
  } catch (err) {
    if (err instanceof ConfigurationError) throw err;
    return signal?.aborted ? aborted() : end(TokenResponse.fromError(err), 'failed');
  }
  for (;;) {
    if (signal?.aborted) return aborted();
    const wait = scaled(intervalSeconds);
    if (Date.now() + wait >= deadline) {
      return stopped(
        'expired_token',
        E.ExpiredToken,
        `the device code expired (expires_in ${plan.expiresInSeconds} s) before the user approved`,
      );
    }
    try {
      await delay(wait, undefined, signal === undefined ? {} : { signal });
    } catch {
      return aborted();
    }
    polls++;
    const response = await requestDeviceToken(request, client);
    if (response.isSuccessful) return end(response, 'issued');
    if (signal?.aborted) return aborted();
    if (response.errorType === 'protocol') {
      if (response.error === E.AuthorizationPending) continue;
      if (response.error === E.SlowDown) {
        intervalSeconds = Math.min(
          intervalSeconds + SLOW_DOWN_INCREMENT_SECONDS,
          MAX_GROWN_POLL_INTERVAL_SECONDS,
        );
        continue;
      }
      if (response.error === E.AccessDenied) return end(response, 'access_denied');
      if (response.error === E.ExpiredToken) return end(response, 'expired_token');
    }
    if (isTransient(response)) {
      const doubled = Math.max(intervalSeconds * 2, response.retryAfter ?? 0);
      intervalSeconds = Math.min(doubled, MAX_GROWN_POLL_INTERVAL_SECONDS);
      continue;
    }
    return end(response, 'failed');
  }
}
