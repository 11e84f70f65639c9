import type { HttpClient } from '../http/types.js';
import { failureFromError } from '../protocol/protocol-response.js';
import type { TokenRevocationRequest } from './token-revocation-request.js';
import { TokenRevocationResponse } from './token-revocation-response.js';

/**
 * Revokes a token (RFC 7009). Never throws for an outcome: an OAuth error, a network failure or a discovery
 * failure come back as an unsuccessful `TokenRevocationResponse` (see `errorType`).
 */
export async function revokeToken(
  request: TokenRevocationRequest,
  httpClient?: HttpClient,
): Promise<TokenRevocationResponse> {
  try {
    const response = await request.post(
      httpClient,
      [
        ['token', request.token],
        ['token_type_hint', request.tokenTypeHint],
      ],
      { retry: request.retry, accept: 'application/json' },
    );
    return TokenRevocationResponse.fromHttpResponse(response);
  } catch (err) {
    return new TokenRevocationResponse(failureFromError(err, 'revocation'));
  }
}
