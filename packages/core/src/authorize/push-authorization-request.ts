import type { HttpClient } from '../http/types.js';
import { failureFromError } from '../protocol/protocol-response.js';
import type { PushedAuthorizationRequest } from './pushed-authorization-request.js';
import { PushedAuthorizationResponse } from './pushed-authorization-response.js';

/**
 * Pushes an authorization request (RFC 9126 §2). Never throws for an outcome: an OAuth error, a network or a
 * discovery failure come back as an unsuccessful `PushedAuthorizationResponse`. On success, send the user to
 * `buildAuthorizationUrl({ ..., clientId, requestUri: response.requestUri })`.
 */
export async function pushAuthorizationRequest(
  request: PushedAuthorizationRequest,
  httpClient?: HttpClient,
): Promise<PushedAuthorizationResponse> {
  try {
    const response = await request.post(httpClient, request.fields, {
      retry: request.retry,
      accept: 'application/json',
    });
    return PushedAuthorizationResponse.fromHttpResponse(response);
  } catch (err) {
    return new PushedAuthorizationResponse(failureFromError(err, 'pushed authorization request'));
  }
}
