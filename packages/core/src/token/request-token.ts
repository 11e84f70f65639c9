import { getDefaultHttpClient } from '../http/index.js';
import type { HttpClient } from '../http/types.js';
import type {
  AuthorizationCodeTokenRequest,
  ClientCredentialsTokenRequest,
  DeviceTokenRequest,
  PasswordTokenRequest,
  RefreshTokenRequest,
  TokenExchangeTokenRequest,
} from './grant-requests.js';
import type { TokenRequest } from './token-request.js';
import { TokenResponse } from './token-response.js';

/**
 * Sends any token request. Never throws for an outcome: an OAuth error, a network failure or an unreadable
 * answer all come back as an unsuccessful `TokenResponse` (see `errorType`), with the cause in `exception`.
 * Retries follow the request's `retry` mode through the HTTP client.
 */
export async function requestToken(request: TokenRequest, httpClient?: HttpClient): Promise<TokenResponse> {
  try {
    const client = httpClient ?? getDefaultHttpClient();
    // tls_client_auth: only now is the HTTP client known; without a certificate the request cannot work.
    request.authenticator.checkTransport(client, request.address);
    const { form, headers } = await request.build();
    const response = await client.request({
      url: request.address,
      method: 'POST',
      headers,
      body: form,
      retry: request.retry,
      timeoutMs: request.timeoutMs,
      signal: request.signal,
      followRedirects: false,
    });
    return TokenResponse.fromHttpResponse(response);
  } catch (err) {
    return TokenResponse.fromError(err);
  }
}

/** Client credentials grant; retried on 429/503 (honouring `Retry-After`) and connection errors. */
export function requestClientCredentialsToken(
  request: ClientCredentialsTokenRequest,
  httpClient?: HttpClient,
): Promise<TokenResponse> {
  return requestToken(request, httpClient);
}

/** Authorization code grant (with PKCE); resent only when the request cannot have reached the server. */
export function requestAuthorizationCodeToken(
  request: AuthorizationCodeTokenRequest,
  httpClient?: HttpClient,
): Promise<TokenResponse> {
  return requestToken(request, httpClient);
}

/** Refresh token grant; resent only when the request cannot have reached the server. */
export function requestRefreshToken(
  request: RefreshTokenRequest,
  httpClient?: HttpClient,
): Promise<TokenResponse> {
  return requestToken(request, httpClient);
}

/** Device code token poll (RFC 8628); `authorization_pending`/`slow_down` come back as protocol errors. */
export function requestDeviceToken(
  request: DeviceTokenRequest,
  httpClient?: HttpClient,
): Promise<TokenResponse> {
  return requestToken(request, httpClient);
}

/** Token exchange (RFC 8693). */
export function requestTokenExchangeToken(
  request: TokenExchangeTokenRequest,
  httpClient?: HttpClient,
): Promise<TokenResponse> {
  return requestToken(request, httpClient);
}

/** Resource owner password grant. Discouraged (RFC 9700 §2.4); for legacy migrations only. */
export function requestPasswordToken(
  request: PasswordTokenRequest,
  httpClient?: HttpClient,
): Promise<TokenResponse> {
  return requestToken(request, httpClient);
}
