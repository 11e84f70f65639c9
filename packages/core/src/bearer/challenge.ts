import { ConfigurationError } from '../errors.js';

/** The auth-params of a `WWW-Authenticate: Bearer` challenge (RFC 6750 §3), in the order they are written. */
export interface BearerChallenge {
  realm?: string | undefined;
  error?: string | undefined;
  errorDescription?: string | undefined;
  /** Written as one space-delimited `scope="…"` attribute. */
  scope?: readonly string[] | undefined;
}

// RFC 6750 §3: error, error_description and scope values use only %x20-21 / %x23-5B / %x5D-7E; a scope
// token additionally excludes the space (RFC 6749 §3.3).
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

/** `Bearer realm="api", error="invalid_token", …` — every value quoted and escaped. */
export function formatBearerChallenge(challenge: BearerChallenge = {}): string {
  const params: string[] = [];
  if (challenge.realm !== undefined) params.push(`realm=${quoteHeaderValue(challenge.realm)}`);
  if (challenge.error !== undefined) params.push(`error=${quoteHeaderValue(challenge.error)}`);
  if (challenge.errorDescription !== undefined) {
    // error_description may not contain `"` or `\` at all (RFC 6750 §3), so they are replaced, not escaped.
    params.push(`error_description=${quoteHeaderValue(challenge.errorDescription.replace(/[\\"]/g, "'"))}`);
  }
  if (challenge.scope !== undefined && challenge.scope.length > 0) {
    params.push(`scope=${quoteHeaderValue(challenge.scope.filter((s) => SCOPE_TOKEN.test(s)).join(' '))}`);
  }
  return params.length === 0 ? 'Bearer' : `Bearer ${params.join(', ')}`;
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
