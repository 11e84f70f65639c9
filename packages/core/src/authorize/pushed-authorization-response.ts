import type { HttpResponse } from '../http/types.js';
import {
  ProtocolResponse,
  type ProtocolResponseInit,
  readErrorAnswer,
  readJsonObject,
  unexpectedAnswer,
} from '../protocol/protocol-response.js';

/** Longest `request_uri` accepted: it goes into a URL. */
const MAX_REQUEST_URI = 2048;
/** `expires_in` is clamped to this (seconds): a pushed request is meant to live for seconds (RFC 9126 §2.2). */
export const MAX_PUSHED_REQUEST_LIFETIME = 3600;

/**
 * The answer of a pushed authorization request endpoint (RFC 9126 §2.2): `requestUri` and `expiresIn` on
 * success (201, or 200 from lenient servers), else an OAuth error (`protocol`) or an `http`/`exception` failure.
 */
export class PushedAuthorizationResponse extends ProtocolResponse {
  readonly requestUri: string | undefined;
  /** Seconds the `request_uri` stays usable, clamped to 1..3600. */
  readonly expiresIn: number | undefined;

  constructor(init: ProtocolResponseInit & { requestUri?: string; expiresIn?: number }) {
    super(init);
    this.requestUri = init.requestUri;
    this.expiresIn = init.expiresIn;
  }

  static fromHttpResponse(response: HttpResponse): PushedAuthorizationResponse {
    const failure = readErrorAnswer(response, 'pushed authorization request endpoint');
    if (failure) return new PushedAuthorizationResponse(failure);
    const { raw, parseError } = readJsonObject(response);
    if (raw === undefined) {
      return new PushedAuthorizationResponse(
        unexpectedAnswer(response, 'the PAR answer is not a JSON object', parseError),
      );
    }
    const requestUri = raw.request_uri;
    if (typeof requestUri !== 'string' || requestUri === '' || requestUri.length > MAX_REQUEST_URI) {
      return new PushedAuthorizationResponse({
        ...unexpectedAnswer(
          response,
          `the PAR answer has no usable request_uri (a string of at most ${MAX_REQUEST_URI} characters)`,
        ),
        raw,
      });
    }
    const expiresIn = raw.expires_in;
    if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0) {
      return new PushedAuthorizationResponse({
        ...unexpectedAnswer(response, 'the PAR answer has no positive expires_in'),
        raw,
      });
    }
    return new PushedAuthorizationResponse({
      httpStatus: response.status,
      headers: response.headers,
      raw,
      requestUri,
      expiresIn: Math.max(1, Math.min(Math.floor(expiresIn), MAX_PUSHED_REQUEST_LIFETIME)),
    });
  }
}
