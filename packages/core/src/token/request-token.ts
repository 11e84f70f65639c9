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
    const first = await send(request, client);
    // RFC 9449 §8: the AS wants a nonce in the proof; answer once (a second refusal is the outcome).
    if (request.dpop !== undefined && first.error === 'use_dpop_nonce' && first.dpopNonce !== undefined) {
      return await send(request, client);
    }
    return first;
  } catch (err) {
    return TokenResponse.fromError(err);
  }
}

/** The form (client assertion included) and any DPoP proof, built afresh for every send and every retry. */
async function build(
  request: TokenRequest,
): Promise<{ headers: Record<string, string>; body: URLSearchParams }> {
  const { form, headers } = await request.build();
  if (request.dpop !== undefined) headers.dpop = await request.dpop.proof('POST', request.address);
  return { headers, body: form };
}

/** One exchange, retried by the HTTP client as `request.retry` says, each attempt with its own one-time values. */
async function send(request: TokenRequest, client: HttpClient): Promise<TokenResponse> {
  const dpop = request.dpop;
  const response = await client.request({
    url: request.address,
    method: 'POST',
    ...(await build(request)),
    beforeRetry: () => build(request),
    retry: request.retry,
    timeoutMs: request.timeoutMs,
    signal: request.signal,
    followRedirects: false,
  });
  dpop?.rememberNonce(request.address, response.headers['dpop-nonce']);
  return TokenResponse.fromHttpResponse(response);
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
