import type { HttpClient, HttpMethod, HttpResponse, RetryMode } from '../http/types.js';
import { failureFromError } from '../protocol/protocol-response.js';
import type { ClientConfigurationRequest, ClientUpdateRequest } from './client-configuration-request.js';
import { ClientDeletionResponse, ClientRegistrationResponse } from './client-registration-response.js';

const WHAT = 'client configuration endpoint';

/** One exchange with the client configuration endpoint, authenticated by the registration access token. */
function send(
  request: ClientConfigurationRequest | ClientUpdateRequest,
  httpClient: HttpClient | undefined,
  method: HttpMethod,
  retry: RetryMode,
): Promise<HttpResponse> {
  return request.settings.send(httpClient, {
    url: request.registrationClientUri,
    method,
    bearer: request.registrationAccessToken,
    // Only the update has a body (an update request passed to readClient still sends a bare GET).
    ...(method === 'PUT' && 'body' in request ? { body: request.body() } : {}),
    retry,
  });
}

/**
 * Reads a registered client (RFC 7592 §2.1, GET with the registration access token); retried like any GET.
 * A token the server no longer knows (the client was deleted, the token rotated) is a `protocol` failure,
 * usually HTTP 401 `invalid_token`.
 */
export async function readClient(
  request: ClientConfigurationRequest,
  httpClient?: HttpClient,
): Promise<ClientRegistrationResponse> {
  try {
    const response = await send(request, httpClient, 'GET', 'all');
    return ClientRegistrationResponse.fromHttpResponse(response, WHAT, request.trustedOrigins);
  } catch (err) {
    return new ClientRegistrationResponse(failureFromError(err, 'client read'));
  }
}

/**
 * Replaces a registered client's metadata (RFC 7592 §2.2, PUT). The answer may carry a new registration
 * access token (oidc-provider rotates it by default): use the response's from then on. Resent only when the
 * request cannot have reached the server, as a repeat after a rotation would be refused.
 */
export async function updateClient(
  request: ClientUpdateRequest,
  httpClient?: HttpClient,
): Promise<ClientRegistrationResponse> {
  try {
    const response = await send(request, httpClient, 'PUT', 'unsent');
    return ClientRegistrationResponse.fromHttpResponse(response, WHAT, request.trustedOrigins);
  } catch (err) {
    return new ClientRegistrationResponse(failureFromError(err, 'client update'));
  }
}

/**
 * Deletes a registered client (RFC 7592 §2.3, DELETE); the server answers 204. Resent only when the request
 * cannot have reached the server: a repeat after a deletion would report a failure for a client that is gone.
 */
export async function deleteClient(
  request: ClientConfigurationRequest,
  httpClient?: HttpClient,
): Promise<ClientDeletionResponse> {
  try {
    const response = await send(request, httpClient, 'DELETE', 'unsent');
    return ClientDeletionResponse.fromHttpResponse(response, WHAT);
  } catch (err) {
    return new ClientDeletionResponse(failureFromError(err, 'client delete'));
  }
}
