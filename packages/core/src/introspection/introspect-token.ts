import { TokenValidationError } from '../errors.js';
import type { HttpClient, HttpResponse } from '../http/types.js';
import {
  describeBody,
  failureFromError,
  kindOf,
  mediaType,
  readErrorAnswer,
  readJsonObject,
  unexpectedAnswer,
} from '../protocol/protocol-response.js';
import type { VerifiedSignedResponse } from '../protocol/signed-response.js';
import { readIntrospectionMembers } from './introspection-members.js';
import {
  TOKEN_INTROSPECTION_JWT_MEDIA_TYPE,
  type TokenIntrospectionRequest,
} from './token-introspection-request.js';
import { TokenIntrospectionResponse } from './token-introspection-response.js';

const WHAT = 'introspection endpoint';
/** Media types a signed answer may arrive with (RFC 9701 §5; some servers label it plain `application/jwt`). */
const JWT_TYPES = new Set([TOKEN_INTROSPECTION_JWT_MEDIA_TYPE, 'application/jwt']);

/**
 * Asks the authorization server about a token (RFC 7662), optionally for a signed answer (RFC 9701). Never
 * throws for an outcome: an OAuth error (`protocol`), a network failure or a status without an OAuth error
 * (`http`), or an answer that is not an introspection response or does not verify (`exception`) is an
 * unsuccessful response. An inactive token is a successful response with `isActive: false`. Introspection
 * changes nothing at the server, so a rate-limited or failed-to-connect request is sent again.
 */
export async function introspectToken(
  request: TokenIntrospectionRequest,
  httpClient?: HttpClient,
): Promise<TokenIntrospectionResponse> {
  let response: HttpResponse;
  try {
    response = await request.post(
      httpClient,
      [
        ['token', request.token],
        ['token_type_hint', request.tokenTypeHint],
      ],
      {
        retry: 'rate-limited',
        accept: request.jwtResponse ? TOKEN_INTROSPECTION_JWT_MEDIA_TYPE : 'application/json',
      },
    );
  } catch (err) {
    return new TokenIntrospectionResponse(failureFromError(err, WHAT));
  }
  const failure = readErrorAnswer(response, WHAT);
  if (failure) return new TokenIntrospectionResponse(failure);

  const signed = JWT_TYPES.has(mediaType(response.headers['content-type']) ?? '');
  if (request.verifier === undefined) {
    if (signed) {
      return refuse(
        response,
        `${WHAT} answered a signed response, which was not asked for (set jwtResponse)`,
      );
    }
    return fromJson(response);
  }
  if (!signed) {
    // A downgrade: the caller asked for an answer whose integrity it can check.
    return refuse(response, `${WHAT} answered ${describeBody(response)}, not the signed response asked for`);
  }
  return fromJwt(request, response, httpClient);
}

function refuse(response: HttpResponse, why: string, exception?: unknown): TokenIntrospectionResponse {
  return new TokenIntrospectionResponse(unexpectedAnswer(response, why, exception));
}

function fromJson(response: HttpResponse): TokenIntrospectionResponse {
  const { raw, parseError } = readJsonObject(response);
  if (!raw) return refuse(response, `${WHAT} answered without a JSON object`, parseError);
  const members = readIntrospectionMembers(raw);
  if (typeof members === 'string') {
    return new TokenIntrospectionResponse({ ...unexpectedAnswer(response, `${WHAT}: ${members}`), raw });
  }
  return new TokenIntrospectionResponse(
    { httpStatus: response.status, headers: response.headers, raw },
    members,
  );
}

async function fromJwt(
  request: TokenIntrospectionRequest,
  response: HttpResponse,
  httpClient: HttpClient | undefined,
): Promise<TokenIntrospectionResponse> {
  let verified: VerifiedSignedResponse;
  try {
    verified = await request.verifier!.verify(response.body.toString('utf8'), httpClient);
  } catch (err) {
    const why =
      err instanceof TokenValidationError
        ? `the signed response was refused (${err.code}): ${err.message}`
        : 'the signed response could not be verified';
    return refuse(response, `${WHAT}: ${why}`, err);
  }
  // RFC 9701 §5: the introspection members are the `token_introspection` claim, an object.
  const body = verified.claims.token_introspection;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return refuse(
      response,
      `${WHAT}: the signed response's token_introspection is ${kindOf(body)}, not an object`,
    );
  }
  const raw = { ...verified.claims };
  const members = readIntrospectionMembers(body as Record<string, unknown>);
  if (typeof members === 'string') {
    return new TokenIntrospectionResponse({
      ...unexpectedAnswer(response, `${WHAT}: token_introspection ${members}`),
      raw,
    });
  }
  return new TokenIntrospectionResponse(
    { httpStatus: response.status, headers: response.headers, raw },
    members,
    verified,
  );
}
