import { TokenResponse, type TokenResponseInit } from '../token/token-response.js';

/**
 * How device-token polling ended: `issued` (tokens), `access_denied` (the user refused), `expired_token` (the
 * codes expired: the server said so, or our clock passed `expires_in`), `aborted` (the caller's signal), or
 * `failed` (any other error: `invalid_client`, `invalid_grant`, an unusable answer).
 */
export type DeviceTokenPollOutcome = 'issued' | 'access_denied' | 'expired_token' | 'aborted' | 'failed';

/**
 * The token response that ended `pollDeviceToken`, with how it ended and how many token requests it took.
 * A stop on our own clock or signal is an `exception` response (`error` `expired_token` or `aborted`); what
 * the server answered keeps its own `errorType`.
 */
export class DeviceTokenResponse extends TokenResponse {
  readonly outcome: DeviceTokenPollOutcome;
  /** Token requests sent. */
  readonly polls: number;
  /** The interval in effect when polling ended (seconds, before any `timeScale`): grown by `slow_down`. */
  readonly interval: number;

  constructor(
    init: TokenResponseInit,
    outcome: DeviceTokenPollOutcome,
    progress: { polls: number; interval: number },
  ) {
    super(init);
    this.outcome = outcome;
    this.polls = progress.polls;
    this.interval = progress.interval;
  }

  /** The last answer of the server, re-labelled with the outcome. */
  static from(
    response: TokenResponse,
    outcome: DeviceTokenPollOutcome,
    progress: { polls: number; interval: number },
  ): DeviceTokenResponse {
    return new DeviceTokenResponse(
      {
        httpStatus: response.httpStatus,
        raw: response.raw,
        errorType: response.errorType,
        error: response.error,
        errorDescription: response.errorDescription,
        errorUri: response.errorUri,
        exception: response.exception,
        retryAfter: response.retryAfter,
      },
      outcome,
      progress,
    );
  }
}
