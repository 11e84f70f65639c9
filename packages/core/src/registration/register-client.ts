import { getDefaultHttpClient } from '../http/default-client.js';
import type { HttpClient } from '../http/types.js';
import { failureFromError } from '../protocol/protocol-response.js';
import type { ClientRegistrationRequest } from './client-registration-request.js';
import { ClientRegistrationResponse } from './client-registration-response.js';

const WHAT = 'registration endpoint';

/**
 * Registers a client (RFC 7591 §3.1): with the request's initial access token, or openly. A 201 is what the
 * RFC says; a 200 with a client information body is accepted too (glewlwyd answers 200). Resent only when the
 * request cannot have reached the server: a second registration would create a second client. Never throws
 * for an outcome: errors come back as an unsuccessful `ClientRegistrationResponse` (`invalid_redirect_uri`,
 * `invalid_client_metadata`, `invalid_software_statement`, `unapproved_software_statement` as `protocol`).
 */
export async function registerClient(
  request: ClientRegistrationRequest,
  httpClient?: HttpClient,
): Promise<ClientRegistrationResponse> {
  try {
    const client = httpClient ?? getDefaultHttpClient();
    const signal = request.settings.signal;
    const address = await request.locator.resolve(client, signal === undefined ? {} : { signal });
    const response = await request.settings.send(client, {
      url: address,
      method: 'POST',
      ...(request.initialAccessToken === undefined ? {} : { bearer: request.initialAccessToken }),
      body: request.metadata,
      retry: 'unsent',
    });
    const trusted = new Set([new URL(address).origin, ...request.allowedManagementOrigins]);
    return ClientRegistrationResponse.fromHttpResponse(response, WHAT, trusted);
  } catch (err) {
    return new ClientRegistrationResponse(failureFromError(err, 'registration'));
  }
}
