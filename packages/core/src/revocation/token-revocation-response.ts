import type { OidcConstants, ValueOf } from '../constants/oidc-constants.js';
import type { HttpResponse } from '../http/types.js';
import { ProtocolResponse, readErrorAnswer, readJsonObject } from '../protocol/protocol-response.js';

/** The error codes RFC 7009 §2.2.1 names; a server may send others, kept as sent. */
export type TokenRevocationErrorCode = ValueOf<typeof OidcConstants.RevocationErrors>;

/**
 * A revocation endpoint's answer (RFC 7009 §2.2). Any 2xx without an OAuth error object is success, whatever
 * its body: RFC 7009 defines none, and servers send nothing, `{}`, or (django-oauth-toolkit) an empty
 * `text/html` body. `unsupported_token_type`, `invalid_client` and the other OAuth errors are `protocol`
 * failures; a 503 keeps the server's `Retry-After` in `retryAfter`.
 */
export class TokenRevocationResponse extends ProtocolResponse {
  declare readonly error: TokenRevocationErrorCode | (string & {}) | undefined;

  /** Reads an HTTP answer from a revocation endpoint. */
  static fromHttpResponse(response: HttpResponse): TokenRevocationResponse {
    const failure = readErrorAnswer(response, 'revocation endpoint');
    if (failure) return new TokenRevocationResponse(failure);
    return new TokenRevocationResponse({
      httpStatus: response.status,
      headers: response.headers,
      raw: readJsonObject(response).raw,
    });
  }
}
