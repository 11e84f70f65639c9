import { ConfigurationError } from '../errors.js';

/** The authentication schemes a resource server challenges with: RFC 6750 `Bearer`, RFC 9449 `DPoP`. */
export type ChallengeScheme = 'Bearer' | 'DPoP';

/** The auth-params of one `WWW-Authenticate` challenge, in the order they are written. */
export interface BearerChallenge {
  realm?: string | undefined;
  error?: string | undefined;
  errorDescription?: string | undefined;
  /** Written as one space-delimited `scope="…"` attribute. */
  scope?: readonly string[] | undefined;
  /** RFC 9470 §3: the authentication context classes that would be accepted (`acr_values="…"`). */
  acrValues?: readonly string[] | undefined;
  /** RFC 9470 §3: the longest time (seconds) since the user last authenticated that is accepted. */
  maxAge?: number | undefined;
  /** RFC 9449 §7.1: the proof algorithms accepted (`algs="…"`), DPoP challenges only. */
  algs?: readonly string[] | undefined;
  /** RFC 9728 §5.1: where the protected resource metadata is (`resource_metadata="…"`). */
  resourceMetadata?: string | undefined;
}

// RFC 6750 §3: error, error_description and scope values use only %x20-21 / %x23-5B / %x5D-7E; a scope
// token additionally excludes the space (RFC 6749 §3.3). acr values and algs follow the same rule.
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
// Anything a header line must never carry: controls (CR, LF, NUL…), DEL and non-ASCII.
const UNSAFE = /[^\x20-\x7E]/g;

/**
 * Builds a quoted-string (RFC 9110 §5.6.4). Characters outside printable ASCII are dropped so no value can
 * split the header line; backslash and double quote are escaped so none can close the string early.
 */
export function quoteHeaderValue(value: string): string {
  return `"${value.replace(UNSAFE, '').replace(/[\\"]/g, '\\$&')}"`;
}

function tokenList(values: readonly string[]): string {
  return quoteHeaderValue(values.filter((s) => SCOPE_TOKEN.test(s)).join(' '));
}

/** `Bearer realm="api", error="invalid_token", …` (or `DPoP …`) — every value quoted and escaped. */
export function formatChallenge(scheme: ChallengeScheme, challenge: BearerChallenge = {}): string {
  const params: string[] = [];
  if (challenge.realm !== undefined) params.push(`realm=${quoteHeaderValue(challenge.realm)}`);
  if (challenge.error !== undefined) params.push(`error=${quoteHeaderValue(challenge.error)}`);
  if (challenge.errorDescription !== undefined) {
    // error_description may not contain `"` or `\` at all (RFC 6750 §3), so they are replaced, not escaped.
    params.push(`error_description=${quoteHeaderValue(challenge.errorDescription.replace(/[\\"]/g, "'"))}`);
  }
  if (challenge.scope !== undefined && challenge.scope.length > 0) {
    params.push(`scope=${tokenList(challenge.scope)}`);
  }
  if (challenge.acrValues !== undefined && challenge.acrValues.length > 0) {
    params.push(`acr_values=${tokenList(challenge.acrValues)}`);
  }
  if (challenge.maxAge !== undefined && Number.isSafeInteger(challenge.maxAge) && challenge.maxAge >= 0) {
    params.push(`max_age=${challenge.maxAge}`);
  }
  if (scheme === 'DPoP' && challenge.algs !== undefined && challenge.algs.length > 0) {
    params.push(`algs=${tokenList(challenge.algs)}`);
  }
  if (challenge.resourceMetadata !== undefined) {
    params.push(`resource_metadata=${quoteHeaderValue(challenge.resourceMetadata)}`);
  }
  return params.length === 0 ? scheme : `${scheme} ${params.join(', ')}`;
}

/** `Bearer realm="api", error="invalid_token", …` — every value quoted and escaped. */
export function formatBearerChallenge(challenge: BearerChallenge = {}): string {
  return formatChallenge('Bearer', challenge);
}

/**
 * What every challenge of one resource server carries, whatever the refusal: its realm, its RFC 9728
 * metadata URL and the schemes it accepts. Built once with the authenticator.
 */
export interface ChallengeSettings {
  realm?: string | undefined;
  /** RFC 9728 §5.1: the URL of this resource's metadata document, sent as `resource_metadata`. */
  resourceMetadata?: string | undefined;
  /** Challenge with `Bearer`. Default `true`; `false` when only DPoP-bound tokens are accepted. */
  bearer?: boolean | undefined;
  /** Challenge with `DPoP algs="…"` as well (RFC 9449 §7.1). Absent: DPoP is not offered. */
  dpopAlgorithms?: readonly string[] | undefined;
}

/** Refuses, when options are built, a realm that could not be sent verbatim. */
export function assertValidRealm(realm: string | undefined): void {
  if (realm === undefined) return;
  if (typeof realm !== 'string' || realm.length === 0 || /[^\x20-\x7E]/.test(realm)) {
    throw new ConfigurationError(
      '`realm` must be a non-empty string of printable ASCII characters (it is sent in WWW-Authenticate)',
    );
  }
}

/** Refuses, when a guard is built, a scope that RFC 6749 §3.3 does not allow (it would corrupt the challenge). */
export function assertValidScopes(what: string, scopes: readonly string[]): void {
  if (scopes.length === 0) throw new ConfigurationError(`${what} needs at least one scope`);
  for (const scope of scopes) {
    if (typeof scope !== 'string' || !SCOPE_TOKEN.test(scope)) {
      throw new ConfigurationError(
        `${what}: ${JSON.stringify(scope)} is not a valid scope (printable ASCII without space, " or \\)`,
      );
    }
  }
}
