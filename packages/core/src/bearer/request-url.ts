import { MAX_HTU_LENGTH, normalizeHtu } from '../dpop/htu.js';
import { ConfigurationError } from '../errors.js';
import type { BearerRequest } from './extract-token.js';
import type { TrustedProxies } from './trusted-proxies.js';

/** `host` or `host:port`: a reg-name or IPv4 address, or a bracketed IPv6 address. Nothing that moves the path. */
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~-]+)(?::[0-9]{1,5})?$/;
const PORT = /^[0-9]{1,5}$/;
const PROTO = /^https?$/i;
const MAX_HEADER = 1024;

/** How the URL a client called is rebuilt on this side: built once from `publicUrl` and `trustedProxies`. */
export interface RequestUrlSettings {
  /** `publicUrl` without a trailing slash, when set. */
  readonly publicUrl: string | undefined;
  readonly proxies: TrustedProxies;
}

/** Checks `publicUrl` once: an absolute http(s) URL, no query, fragment or credentials. */
export function checkPublicUrl(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const refuse = () =>
    new ConfigurationError(
      'publicUrl: the absolute http(s) URL clients call this API at, e.g. https://api.example.com (no query or fragment)',
    );
  if (typeof value !== 'string' || /[?#]/.test(value)) throw refuse();
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new ConfigurationError(refuse().message, { cause });
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username !== '' || url.password !== '') {
    throw refuse();
  }
  return `${url.protocol}//${url.host}${url.pathname}`.replace(/\/+$/, '');
}

function single(value: string | readonly string[] | number | undefined): string | undefined {
  if (typeof value === 'string') return value.length <= MAX_HEADER ? value : undefined;
  return undefined;
}

/** The last element of a comma-separated forwarding header: the one the trusted proxy itself wrote. */
function last(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const item = value.slice(value.lastIndexOf(',') + 1).trim();
  return item === '' ? undefined : item;
}

/** RFC 7239 `Forwarded`: `proto` and `host` of its last element (quoted values unquoted). */
function forwarded(value: string | undefined): { proto?: string; host?: string } {
  const element = last(value);
  if (element === undefined) return {};
  const found: { proto?: string; host?: string } = {};
  for (const pair of element.split(';')) {
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    const name = pair.slice(0, eq).trim().toLowerCase();
    const raw = pair.slice(eq + 1).trim();
    const text = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
    if (name === 'proto' || name === 'host') found[name] = text;
  }
  return found;
}

/** The path of the request-target: origin-form as sent, absolute-form reduced to its path. */
function targetPath(url: string | undefined): string | undefined {
  if (url === undefined || url.length === 0 || url.length > MAX_HTU_LENGTH) return undefined;
  if (url.startsWith('/')) return url;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.pathname : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The URL of `request` as its client called it, normalised for comparison with a DPoP proof's `htu`
 * (`normalizeHtu`), or `undefined` when it cannot be told.
 *
 * - With `publicUrl`: that URL + the request path; nothing the request says about scheme or host counts.
 * - From a trusted proxy (`socket.remoteAddress` in `trustedProxies`): `Forwarded` (`proto`, `host`) when
 *   present, else `X-Forwarded-Proto`, `X-Forwarded-Host` and `X-Forwarded-Port` (the last value of each,
 *   the one that proxy wrote); what they lack comes from the connection.
 * - Otherwise: `https` when the socket is TLS, else `http`, and the `Host` header (`:authority` for
 *   HTTP/2). The client chose that Host itself and signed the proof over the URL it called, so this is the
 *   URL the proof must name; forwarding headers are ignored, so nobody in between can rewrite it.
 */
export function requestUrl(request: BearerRequest, settings: RequestUrlSettings): string | undefined {
  const path = targetPath(request.url);
  if (path === undefined) return undefined;
  if (settings.publicUrl !== undefined) return normalizeHtu(settings.publicUrl + path);
  const headers = request.headers;
  let proto: string | undefined = request.socket?.encrypted === true ? 'https' : 'http';
  let host = single(headers.host) ?? single(headers[':authority']);
  if (settings.proxies.trusts(request.socket?.remoteAddress)) {
    const standard = forwarded(single(headers.forwarded));
    if (standard.proto !== undefined || standard.host !== undefined) {
      proto = standard.proto ?? proto;
      host = standard.host ?? host;
    } else {
      proto = last(single(headers['x-forwarded-proto'])) ?? proto;
      host = last(single(headers['x-forwarded-host'])) ?? host;
      const port = last(single(headers['x-forwarded-port']));
      if (port !== undefined && host !== undefined) {
        if (!PORT.test(port)) return undefined;
        host = `${host.replace(/:[0-9]*$/, '')}:${port}`;
      }
    }
  }
  if (host === undefined || !HOST.test(host) || proto === undefined || !PROTO.test(proto)) return undefined;
  return normalizeHtu(`${proto.toLowerCase()}://${host}${path}`);
}
