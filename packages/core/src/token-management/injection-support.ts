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

/** `Authorization` value for a managed token. */
export function authorizationFor(token: ClientCredentialsToken): string {
  return `Bearer ${token.accessToken}`;
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

/** True when a 401's `WWW-Authenticate` says the bearer token itself was rejected (RFC 6750 §3.1). */
export function isInvalidTokenChallenge(header: string | readonly string[] | undefined): boolean {
  if (header === undefined) return false;
  const values = typeof header === 'string' ? [header] : header;
  return values.some((v) =>
    parseChallenges(v).some((c) => c.scheme === 'bearer' && c.params.error === 'invalid_token'),
  );
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
