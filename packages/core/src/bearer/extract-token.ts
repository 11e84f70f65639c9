import { BearerError } from './bearer-error.js';

/** The little of an HTTP request that token extraction reads; every framework can supply it. */
export interface BearerRequest {
  method?: string | undefined;
  /**
   * The original request-target as received (`/mount/path?query`: Express `req.originalUrl`), read for query
   * tokens and for the URL a DPoP proof must name.
   */
  url?: string | undefined;
  /** Node-style headers: lower-case names. */
  headers: Readonly<Record<string, string | readonly string[] | number | undefined>>;
  /** Node's `rawHeaders`, when available: Node keeps only the first of repeated Authorization headers. */
  rawHeaders?: readonly string[] | undefined;
  /** The parsed body (read only when form-body tokens are allowed and the body is a form). */
  body?: unknown;
  /**
   * The connection (Node's `req.socket`): `encrypted` tells the scheme of the URL a DPoP proof must name,
   * `remoteAddress` whether forwarding headers are believed (`trustedProxies`), `getPeerCertificate` the
   * client certificate an mTLS-bound token needs.
   */
  socket?:
    | {
        remoteAddress?: string | undefined;
        encrypted?: boolean | undefined;
        getPeerCertificate?(detailed?: boolean): unknown;
      }
    | undefined;
}

/** The scheme and token of an `Authorization` header this server understands. */
export interface Credentials {
  scheme: 'Bearer' | 'DPoP';
  token: string;
  /**
   * The b64token syntax of a Bearer header token is left to `assertBearerSyntax`: a validator that accepts
   * only well-formed JWS (each segment canonical base64url) already proves it for every token it accepts, so
   * the check runs only when the token is refused, to answer 400 rather than 401 as before.
   */
  syntaxDeferred?: true;
}

export interface BearerExtractionOptions {
  /** Accept `?access_token=` (RFC 6750 §2.3). Off by default: URLs end up in logs and Referer headers. */
  allowQueryToken?: boolean;
  /** Accept an `access_token` form field (RFC 6750 §2.2) in a parsed `application/x-www-form-urlencoded` body. */
  allowBodyToken?: boolean;
}

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * Whether `value` starts with `scheme` (lower case), case-insensitively, followed by its end, whitespace or a
 * comma (a longer word such as `Bearerx` is another scheme).
 */
function startsWithScheme(value: string, scheme: string): boolean {
  const n = scheme.length;
  if (value.length < n) return false;
  for (let i = 0; i < n; i++) if ((value.charCodeAt(i) | 0x20) !== scheme.charCodeAt(i)) return false;
  if (value.length === n) return true;
  const next = value.charCodeAt(n);
  return next === 0x20 || next === 0x2c || (next >= 0x09 && next <= 0x0d) || /\s/.test(value[n]!);
}

/**
 * RFC 6750 writes 1*SP between scheme and token, so several spaces pass (harmless) while a tab, a comma or a
 * second token does not: the token after the spaces, or undefined. One regex pass over the token.
 */
function credentialsAfter(value: string, schemeLength: number, checkSyntax = true): string | undefined {
  let i = schemeLength;
  while (value.charCodeAt(i) === 0x20) i++;
  if (i === schemeLength) return undefined;
  const token = value.slice(i);
  return !checkSyntax || B64TOKEN.test(token) ? token : undefined;
}

const BEARER_SYNTAX = 'The Authorization header is not a valid Bearer credential';

/** The check `syntaxDeferred` put off: throws the 400 that extraction would have thrown. */
export function assertBearerSyntax(credentials: Credentials): void {
  if (credentials.syntaxDeferred && !B64TOKEN.test(credentials.token)) throw malformed(BEARER_SYNTAX);
}

function malformed(description: string): BearerError {
  return new BearerError('invalid_request', description);
}

/**
 * How many times header `name` (lower case) appears in Node's `rawHeaders`, 0 without them: Node keeps only
 * the first of repeated Authorization headers and joins others, so repeats are counted here.
 */
export function rawHeaderCount(request: BearerRequest, name: string): number {
  const raw = request.rawHeaders;
  if (!raw) return 0;
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const header = raw[i];
    // Equal as sent (a lower-case name) needs no new string; only another spelling is lower-cased.
    if (header?.length === name.length && (header === name || header.toLowerCase() === name)) count++;
  }
  return count;
}

/** `value.trim()`, skipped when both ends are printable ASCII (a header from Node's parser always is). */
function trimmed(value: string): string {
  const first = value.charCodeAt(0);
  const last = value.charCodeAt(value.length - 1);
  return first > 0x20 && first < 0x7f && last > 0x20 && last < 0x7f ? value : value.trim();
}

function fromAuthorizationHeader(
  request: BearerRequest,
  dpop: boolean,
  deferSyntax: boolean,
): Credentials | undefined {
  if (rawHeaderCount(request, 'authorization') > 1) {
    throw malformed('The request carries more than one Authorization header');
  }
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  if (typeof header !== 'string') {
    if (Array.isArray(header) && header.length > 1) {
      throw malformed('The request carries more than one Authorization header');
    }
    return fromHeaderValue(String(Array.isArray(header) ? header[0] : header), dpop, deferSyntax);
  }
  return fromHeaderValue(header, dpop, deferSyntax);
}

function fromHeaderValue(raw: string, dpop: boolean, deferSyntax: boolean): Credentials | undefined {
  const value = trimmed(raw);
  if (value === '') throw malformed('The Authorization header is empty');
  // RFC 9449 §7.1: `DPoP <token68>`, the same token syntax.
  if (dpop && startsWithScheme(value, 'dpop')) {
    const token = credentialsAfter(value, 4);
    if (token === undefined) throw malformed('The Authorization header is not a valid DPoP credential');
    return { scheme: 'DPoP', token };
  }
  // Another scheme (Basic, or DPoP where it is not accepted) is not bearer credentials: the request has none.
  if (!startsWithScheme(value, 'bearer')) return undefined;
  const token = credentialsAfter(value, 6, !deferSyntax);
  if (token === undefined) throw malformed(BEARER_SYNTAX);
  return deferSyntax ? { scheme: 'Bearer', token, syntaxDeferred: true } : { scheme: 'Bearer', token };
}

function single(values: readonly unknown[], where: string): string | undefined {
  if (values.length === 0) return undefined;
  if (values.length > 1) throw malformed(`The request carries more than one access_token ${where}`);
  const token = values[0];
  if (typeof token !== 'string' || !B64TOKEN.test(token)) {
    throw malformed(`The access_token ${where} is not a valid bearer token`);
  }
  return token;
}

function fromQuery(request: BearerRequest): string | undefined {
  const url = request.url ?? '';
  const q = url.indexOf('?');
  if (q < 0) return undefined;
  const end = url.indexOf('#', q);
  const params = new URLSearchParams(url.slice(q + 1, end < 0 ? undefined : end));
  return single(params.getAll('access_token'), 'query parameter');
}

function headerString(value: string | readonly string[] | number | undefined): string {
  return typeof value === 'string' ? value : '';
}

function fromBody(request: BearerRequest): string | undefined {
  // RFC 6750 §2.2: only a single-part form, and never with GET.
  const method = (request.method ?? '').toUpperCase();
  if (method === 'GET' || method === 'HEAD') return undefined;
  const type = headerString(request.headers['content-type']).split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') return undefined;
  const body = request.body;
  if (body === null || typeof body !== 'object') return undefined;
  if (!Object.hasOwn(body, 'access_token')) return undefined;
  const value = (body as Record<string, unknown>).access_token;
  return single(Array.isArray(value) ? value : [value], 'form field');
}

/**
 * Finds the bearer token of a request (RFC 6750 §2). Resolves `undefined` when the request carries no bearer
 * credentials; throws `BearerError('invalid_request')` when they are malformed or sent by more than one method.
 */
export function extractBearerToken(
  request: BearerRequest,
  options: BearerExtractionOptions = {},
): string | undefined {
  return extractCredentials(request, options, false)?.token;
}

/**
 * `extractBearerToken` with the scheme: with `dpop`, `Authorization: DPoP <token>` (RFC 9449 §7.1) counts
 * too. A query or form-body token is always `Bearer`; two methods at once are refused as before. With
 * `deferBearerSyntax`, see `Credentials.syntaxDeferred`.
 */
export function extractCredentials(
  request: BearerRequest,
  options: BearerExtractionOptions,
  dpop: boolean,
  deferBearerSyntax = false,
): Credentials | undefined {
  const header = fromAuthorizationHeader(request, dpop, deferBearerSyntax);
  if (!options.allowQueryToken && !options.allowBodyToken) return header;
  // A malformed header is refused for what it is before anything else is looked at, as without deferral.
  if (header !== undefined) assertBearerSyntax(header);
  const found: Credentials[] = [];
  if (header !== undefined) found.push(header);
  if (options.allowQueryToken) {
    const query = fromQuery(request);
    if (query !== undefined) found.push({ scheme: 'Bearer', token: query });
  }
  if (options.allowBodyToken) {
    const body = fromBody(request);
    if (body !== undefined) found.push({ scheme: 'Bearer', token: body });
  }
  if (found.length > 1) {
    throw malformed('The request uses more than one method to send the access token (RFC 6750 §2)');
  }
  return found[0];
}
