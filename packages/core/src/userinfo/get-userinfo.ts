import { IdentityModelError, TokenValidationError } from '../errors.js';
import type { HttpClient, HttpResponse } from '../http/types.js';
import { deepFreeze } from '../protocol/deep-freeze.js';
import {
  describeBody,
  failureFromError,
  kindOf,
  mediaType,
  readErrorAnswer,
  readJsonObject,
  unexpectedAnswer,
} from '../protocol/protocol-response.js';
import { type AuthenticationChallenge, parseChallenges } from '../token-management/injection-support.js';
import type { UserInfoRequest } from './userinfo-request.js';
import { UserInfoResponse, type UserInfoResponseInit } from './userinfo-response.js';

const WHAT = 'userinfo endpoint';
/** Bounds what we parse of a `WWW-Authenticate` header: a challenge is a few hundred characters. */
const MAX_CHALLENGE_LENGTH = 8192;

function challengesOf(response: HttpResponse): AuthenticationChallenge[] {
  const header = response.headers['www-authenticate'];
  if (header === undefined || header.length > MAX_CHALLENGE_LENGTH) return [];
  return parseChallenges(header);
}

/** A refused request: the Bearer challenge's `error` (RFC 6750 §3) or the body's, else an HTTP failure. */
function refusal(response: HttpResponse): UserInfoResponseInit {
  const challenges = challengesOf(response);
  const bearer = challenges.find((c) => c.scheme === 'bearer' || c.scheme === 'dpop');
  const read =
    readErrorAnswer(response, WHAT) ?? unexpectedAnswer(response, `${WHAT} answered HTTP ${response.status}`);
  if (bearer?.params.error && read.errorType !== 'protocol') {
    return {
      ...read,
      errorType: 'protocol',
      error: bearer.params.error,
      errorDescription: bearer.params.error_description,
      errorUri: bearer.params.error_uri,
      challenges,
    };
  }
  return { ...read, challenges };
}

/** The claims of a 2xx answer (JSON, or a signed JWT verified first), or why they cannot be used. */
async function readClaims(
  request: UserInfoRequest,
  response: HttpResponse,
  httpClient: HttpClient | undefined,
): Promise<UserInfoResponseInit> {
  const base = { httpStatus: response.status, headers: response.headers };
  if (mediaType(response.headers['content-type']) === 'application/jwt') {
    if (request.verifier === undefined) {
      return unexpectedAnswer(
        response,
        `${WHAT} answered with a signed JWT; give clientId (and signedResponse with an address) to verify it`,
      );
    }
    const jwt = response.body.toString('utf8').trim();
    if (jwt.split('.').length !== 3) {
      return unexpectedAnswer(
        response,
        `${WHAT} answered application/jwt that is not a signed JWT (encrypted userinfo is not supported)`,
      );
    }
    try {
      const verified = await request.verifier.verify(jwt, httpClient);
      return { ...base, raw: { ...verified.claims }, claims: verified.claims, signedHeader: verified.header };
    } catch (err) {
      const why = err instanceof TokenValidationError ? err.code : 'verification_failed';
      return unexpectedAnswer(response, `the signed userinfo answer did not verify (${why})`, err);
    }
  }
  const { raw, parseError } = readJsonObject(response);
  if (!raw)
    return unexpectedAnswer(
      response,
      `${WHAT} answered without a JSON object (${describeBody(response)})`,
      parseError,
    );
  const claims = structuredClone(raw);
  deepFreeze(claims);
  return { ...base, raw, claims };
}

/**
 * Fetches the claims about the user the access token stands for (OIDC Core §5.3). Never throws for an
 * outcome: a refused token (with its parsed `WWW-Authenticate` challenge), a network failure, an answer
 * without `sub`, a `sub` other than `expectedSubject`, or a signed answer that does not verify is an
 * unsuccessful `UserInfoResponse`. Retried where safe (it is a read).
 */
export async function getUserInfo(
  request: UserInfoRequest,
  httpClient?: HttpClient,
): Promise<UserInfoResponse> {
  let response: HttpResponse;
  try {
    response = await request.send(httpClient);
  } catch (err) {
    return new UserInfoResponse(failureFromError(err, WHAT));
  }
  if (response.status < 200 || response.status >= 300) return new UserInfoResponse(refusal(response));
  const read = await readClaims(request, response, httpClient);
  if (read.errorType !== undefined || read.claims === undefined) return new UserInfoResponse(read);
  const sub = read.claims.sub;
  // OIDC Core §5.3.2: sub is always returned, and an answer for another subject must not be used.
  if (typeof sub !== 'string' || sub.length === 0) {
    return new UserInfoResponse({
      ...unexpectedAnswer(response, `${WHAT} answered without a sub (it is ${kindOf(sub)})`),
      raw: read.raw,
    });
  }
  if (request.expectedSubject !== undefined && sub !== request.expectedSubject) {
    return new UserInfoResponse({
      ...unexpectedAnswer(
        response,
        'the userinfo sub does not match the expected subject (the ID token sub): the answer is about another user',
        new IdentityModelError('userinfo subject mismatch', { code: 'subject_mismatch' }),
      ),
      raw: read.raw,
    });
  }
  return new UserInfoResponse(read);
}
