import { inspect } from 'node:util';
import { AuthorizeCallbackError } from './authorize-callback-error.js';

/** Most parameters read from one callback. */
export const MAX_CALLBACK_PARAMETERS = 64;
/** Longest value of a parameter that carries a JWT (`response`, `id_token`, `access_token`). */
export const MAX_JWT_PARAMETER = 65_536;
/** Longest value of any other parameter. */
export const MAX_CALLBACK_VALUE = 8192;
const JWT_PARAMETERS: ReadonlySet<string> = new Set(['response', 'id_token', 'access_token']);
const SECRET = new Set(['code', 'idToken', 'accessToken', 'response']);

/** What a callback may be: its URL, its query string or fragment, or the body of a `form_post`. */
export type AuthorizeCallbackInput = string | URL | URLSearchParams | Readonly<Record<string, unknown>>;

/**
 * The parameters of an authorization response (RFC 6749 §4.1.2, §4.1.2.1, OIDC Core §3.2.2.5, RFC 9207,
 * JARM). An error response is a value here (`isError`), not a throw. `code`, `idToken`, `accessToken` and
 * `response` show as `***` in `util.inspect` and `JSON.stringify`.
 */
export class AuthorizeCallbackResponse {
  readonly isError: boolean;
  readonly code: string | undefined;
  readonly state: string | undefined;
  /** RFC 9207 issuer identifier; check it with `validateAuthorizeCallbackIssuer`. */
  readonly iss: string | undefined;
  readonly error: string | undefined;
  readonly errorDescription: string | undefined;
  readonly errorUri: string | undefined;
  /** A JARM response (a JWT): verify it with `processJarmResponse`. */
  readonly response: string | undefined;
  readonly idToken: string | undefined;
  readonly accessToken: string | undefined;
  readonly tokenType: string | undefined;
  readonly expiresIn: string | undefined;
  readonly scope: string | undefined;
  readonly sessionState: string | undefined;
  /** Every parameter as received. */
  readonly raw: Readonly<Record<string, string>>;

  constructor(raw: Readonly<Record<string, string>>) {
    this.raw = Object.freeze({ ...raw });
    this.code = raw.code;
    this.state = raw.state;
    this.iss = raw.iss;
    this.error = raw.error;
    this.errorDescription = raw.error_description;
    this.errorUri = raw.error_uri;
    this.response = raw.response;
    this.idToken = raw.id_token;
    this.accessToken = raw.access_token;
    this.tokenType = raw.token_type;
    this.expiresIn = raw.expires_in;
    this.scope = raw.scope;
    this.sessionState = raw.session_state;
    this.isError = this.error !== undefined;
  }

  [inspect.custom](): Record<string, unknown> {
    const view: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(this)) {
      if (key === 'raw') continue;
      view[key] = SECRET.has(key) && value !== undefined ? '***' : value;
    }
    return view;
  }

  toJSON(): Record<string, unknown> {
    return this[inspect.custom]();
  }
}

function entriesOf(input: AuthorizeCallbackInput): Array<[string, unknown]> {
  if (input instanceof URLSearchParams) return [...input.entries()];
  if (input instanceof URL) return [...paramsOfUrl(input).entries()];
  if (typeof input === 'string') {
    if (input.length > MAX_JWT_PARAMETER * 2) {
      throw new AuthorizeCallbackError('parameter_too_long', 'the callback is longer than we read');
    }
    if (/^[a-z][a-z0-9+.-]*:/i.test(input) && URL.canParse(input))
      return [...paramsOfUrl(new URL(input)).entries()];
    return [...new URLSearchParams(input.replace(/^[?#]/, '')).entries()];
  }
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    // A parsed form body (express.urlencoded, @fastify/formbody): a repeated field arrives as an array.
    return Object.entries(input).flatMap(
      ([k, v]): Array<[string, unknown]> =>
        Array.isArray(v) ? v.map((item): [string, unknown] => [k, item]) : [[k, v]],
    );
  }
  throw new AuthorizeCallbackError(
    'callback_malformed',
    'the callback must be a URL, a query string or fragment, URLSearchParams or a parsed form body',
  );
}

/** The query when it carries a response (`response_mode=query`), else the fragment (`fragment`). */
function paramsOfUrl(url: URL): URLSearchParams {
  const query = url.searchParams;
  const responseMembers = ['code', 'state', 'error', 'response', 'iss', 'id_token', 'access_token'];
  if (responseMembers.some((name) => query.has(name)) || url.hash.length <= 1) return query;
  return new URLSearchParams(url.hash.slice(1));
}

/**
 * Reads an authorization response from the callback: a URL, a query string or fragment (with or without
 * `?`/`#`), `URLSearchParams`, or a parsed `form_post` body. Throws `AuthorizeCallbackError` for a repeated
 * parameter (RFC 6749 §3.1), a value that is not a string, or input over our bounds; an OAuth error response
 * is returned (`isError`), never thrown.
 */
export function parseAuthorizeCallbackResponse(input: AuthorizeCallbackInput): AuthorizeCallbackResponse {
  const entries = entriesOf(input);
  if (entries.length > MAX_CALLBACK_PARAMETERS) {
    throw new AuthorizeCallbackError(
      'too_many_parameters',
      `the callback has more than ${MAX_CALLBACK_PARAMETERS} parameters`,
    );
  }
  const raw: Record<string, string> = Object.create(null);
  for (const [name, value] of entries) {
    if (typeof value !== 'string') {
      throw new AuthorizeCallbackError(
        'callback_malformed',
        `callback parameter "${safeName(name)}" is not a string`,
      );
    }
    if (Object.hasOwn(raw, name)) {
      throw new AuthorizeCallbackError(
        'duplicate_parameter',
        `callback parameter "${safeName(name)}" is repeated (RFC 6749 §3.1)`,
      );
    }
    const limit = JWT_PARAMETERS.has(name) ? MAX_JWT_PARAMETER : MAX_CALLBACK_VALUE;
    if (value.length > limit) {
      throw new AuthorizeCallbackError(
        'parameter_too_long',
        `callback parameter "${safeName(name)}" is longer than ${limit} characters`,
      );
    }
    raw[name] = value;
  }
  return new AuthorizeCallbackResponse({ ...raw });
}

/** A parameter name is attacker-chosen: shown only when short and plain. */
function safeName(name: string): string {
  return /^[\w.-]{1,64}$/.test(name) ? name : '(unprintable name)';
}
