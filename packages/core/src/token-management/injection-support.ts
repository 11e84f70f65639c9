import { parseDPoPNonce } from '../dpop/nonce-memory.js';
import { ConfigurationError } from '../errors.js';
import type { AccessTokenSource, ClientCredentialsToken } from './managed-token.js';

export interface TokenInjectionOptions {
  /**
   * The origins (scheme, host and port: `https://api.example.com`, `http://127.0.0.1:8080`) that receive the
   * token. Matching is exact; a request anywhere else, including a redirect hop, goes out without it.
   */
  origins: readonly (string | URL)[];
}

/** Normalises the configured origins once; `has(url)` then answers per request. */
export class OriginAllowList {
  readonly #origins: ReadonlySet<string>;

  constructor(origins: readonly (string | URL)[] | undefined) {
    if (!Array.isArray(origins) || origins.length === 0) {
      throw new ConfigurationError(
        'origins: list at least one origin (e.g. "https://api.example.com") to send the token to',
      );
    }
    const set = new Set<string>();
    for (const o of origins) {
      let url: URL;
      try {
        url = new URL(o);
      } catch (err) {
        throw new ConfigurationError(`origins: "${String(o)}" is not an absolute URL`, { cause: err });
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        throw new ConfigurationError(`origins: "${String(o)}" must be http(s)`);
      }
      if (
        (url.pathname !== '/' && url.pathname !== '') ||
        url.search ||
        url.hash ||
        url.username ||
        url.password
      ) {
        throw new ConfigurationError(`origins: "${String(o)}" must be an origin only (scheme://host[:port])`);
      }
      set.add(url.origin);
    }
    this.#origins = set;
  }

  /** `url.origin` serialises scheme + host + port with default ports dropped, so `:443` and none compare equal. */
  has(url: string | URL): boolean {
    try {
      return this.#origins.has(new URL(url).origin);
    } catch {
      return false;
    }
  }
}

/** The credential headers of one request: `authorization`, and `dpop` (a proof) for a DPoP-bound token. */
export interface RequestCredentials {
  authorization: string;
  dpop?: string;
  /** The scheme the token went with: `Bearer` or `DPoP`. */
  scheme: 'Bearer' | 'DPoP';
}

/**
 * How `token` goes on a request for `method` `url`: `DPoP <token>` with a fresh proof (`ath` included, the
 * origin's last nonce or `nonce`) when the token is DPoP-bound and the source holds its key, else
 * `Bearer <token>` (a provider that ignored the proof issued a bearer token, RFC 9449 §5).
 */
export async function credentialsFor(
  source: AccessTokenSource,
  token: ClientCredentialsToken,
  method: string,
  url: string | URL,
  nonce?: string,
): Promise<RequestCredentials> {
  const dpop = source.dpop;
  if (dpop !== undefined && token.tokenType.toLowerCase() === 'dpop') {
    return {
      authorization: `DPoP ${token.accessToken}`,
      dpop: await dpop.proof(method, url, token.accessToken, nonce),
      scheme: 'DPoP',
    };
  }
  return { authorization: `Bearer ${token.accessToken}`, scheme: 'Bearer' };
}

export interface AuthenticationChallenge {
  scheme: string;
  params: Record<string, string>;
}

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const PARAM = new RegExp(`^(${TOKEN})\\s*=\\s*("(?:[^"\\\\]|\\\\.)*"|[^\\s",]*)$`);
const SCHEME = new RegExp(`^(${TOKEN})(?:\\s+([^]*))?$`);

/** Splits at commas outside quoted strings. */
function splitTopLevel(header: string): string[] {
  const parts: string[] = [];
  let buf = '';
  let quoted = false;
  for (let i = 0; i < header.length; i++) {
    const c = header[i] as string;
    if (quoted) {
      buf += c;
      if (c === '\\' && i + 1 < header.length) buf += header[++i];
      else if (c === '"') quoted = false;
    } else if (c === '"') {
      quoted = true;
      buf += c;
    } else if (c === ',') {
      parts.push(buf);
      buf = '';
    } else {
      buf += c;
    }
  }
  parts.push(buf);
  return parts.map((p) => p.trim()).filter(Boolean);
}

/** Parses `WWW-Authenticate` challenges (RFC 9110 §11.6.1): `Bearer realm="x", error="invalid_token", Basic …`. */
export function parseChallenges(header: string): AuthenticationChallenge[] {
  const challenges: AuthenticationChallenge[] = [];
  let current: AuthenticationChallenge | undefined;
  const addParam = (m: RegExpExecArray) => {
    const raw = m[2] as string;
    const value = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
    if (current) current.params[(m[1] as string).toLowerCase()] = value;
  };
  for (const part of splitTopLevel(header)) {
    const param = PARAM.exec(part);
    if (param && current) {
      addParam(param);
      continue;
    }
    const scheme = SCHEME.exec(part);
    if (!scheme) continue;
    current = { scheme: (scheme[1] as string).toLowerCase(), params: {} };
    challenges.push(current);
    const rest = scheme[2] === undefined ? undefined : PARAM.exec(scheme[2].trim());
    if (rest) addParam(rest);
  }
  return challenges;
}

/**
 * True when a 401's `WWW-Authenticate` says the token itself was rejected (RFC 6750 §3.1): an
 * `error="invalid_token"` on `scheme` (default `Bearer`; `DPoP` for a DPoP-bound token, RFC 9449 §7.1).
 */
export function isInvalidTokenChallenge(
  header: string | readonly string[] | undefined,
  scheme: 'Bearer' | 'DPoP' = 'Bearer',
): boolean {
  return hasChallengeError(header, scheme, 'invalid_token');
}

/** Whether one of the challenges has `scheme` (any case) with `error="…"` equal to `error`. */
function hasChallengeError(
  header: string | readonly string[] | undefined,
  scheme: 'Bearer' | 'DPoP',
  error: string,
): boolean {
  if (header === undefined) return false;
  const wanted = scheme.toLowerCase();
  const values = typeof header === 'string' ? [header] : header;
  return values.some((v) => parseChallenges(v).some((c) => c.scheme === wanted && c.params.error === error));
}

/**
 * The nonce a resource server asks for (RFC 9449 §9): a 401 with `WWW-Authenticate: DPoP
 * error="use_dpop_nonce"` and a well-formed `DPoP-Nonce` header; undefined for any other answer.
 */
export function requestedDPoPNonce(
  status: number,
  challenge: string | readonly string[] | undefined,
  nonceHeader: string | readonly string[] | null | undefined,
): string | undefined {
  if (status !== 401) return undefined;
  const asked = hasChallengeError(challenge, 'DPoP', 'use_dpop_nonce');
  // Repeated headers are not a nonce (Node joins them with ", ", which the nonce syntax refuses anyway).
  const nonce = typeof nonceHeader === 'string' ? parseDPoPNonce(nonceHeader) : undefined;
  return asked ? nonce : undefined;
}

/**
 * A fresh token after the resource server rejected `rejected`: if another caller has renewed meanwhile, that
 * token; else one forced renewal (concurrent callers share it).
 */
export async function renewAfterRejection(
  source: AccessTokenSource,
  rejected: string,
): Promise<ClientCredentialsToken> {
  const current = await source.getToken();
  if (current.accessToken !== rejected) return current;
  return source.getToken({ forceRenewal: true });
}
