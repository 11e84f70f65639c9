import { isLoopbackHost } from '../discovery/discovery-policy.js';
import { ConfigurationError } from '../errors.js';

/** RFC 9728 §3: the well-known URI suffix of protected resource metadata. */
export const PROTECTED_RESOURCE_WELL_KNOWN = '/.well-known/oauth-protected-resource';

/** A resource identifier is a URL, not a document: anything longer is a mistake. */
const MAX_RESOURCE_LENGTH = 2048;

/**
 * The canonical form of a resource identifier (RFC 8707 §2, RFC 9728 §1.2), decided once for the library:
 * - an absolute `https` URL (`http` only on loopback hosts), no user name or password, no fragment;
 * - scheme and host lower-cased and a default port dropped (WHATWG URL normalisation);
 * - **no trailing slash on a bare origin**: `https://api.example/` and `https://api.example` are both
 *   `https://api.example` (the form MCP clients send as `resource`);
 * - a path keeps its trailing slash as written: `https://api.example/mcp` and `https://api.example/mcp/` are
 *   two resources (the path is the application's, we do not guess).
 * With `allowQuery` (a client reading someone else's metadata) a query is kept; a resource we configure
 * refuses one (RFC 8707 §2: it SHOULD NOT have one). Returns undefined when `value` is not such a URL.
 */
export function canonicalResourceOrUndefined(
  value: unknown,
  { allowQuery = false }: { allowQuery?: boolean } = {},
): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_RESOURCE_LENGTH) return undefined;
  if (value.includes('#') || /[^\x21-\x7E]/.test(value) || !URL.canParse(value)) return undefined;
  const url = new URL(value);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname)))
    return undefined;
  if (url.username !== '' || url.password !== '') return undefined;
  if (url.search !== '' && !allowQuery) return undefined;
  if (value.endsWith('?')) return undefined;
  const path = url.pathname === '/' ? '' : url.pathname;
  return `${url.origin}${path}${url.search}`;
}

/** `canonicalResourceOrUndefined` for options: a `ConfigurationError` saying what to change. */
export function canonicalResource(value: unknown, what = 'resourceMetadata.resource'): string {
  const canonical = canonicalResourceOrUndefined(value);
  if (canonical === undefined) {
    throw new ConfigurationError(
      `${what} must be this API's absolute https URL (http on loopback only), without credentials, query or fragment, e.g. "https://api.example.com/mcp"`,
    );
  }
  return canonical;
}

/**
 * Where a resource's metadata lives (RFC 9728 §3.1): the well-known suffix inserted between the host and the
 * path (and query), `https://api.example/mcp` → `https://api.example/.well-known/oauth-protected-resource/mcp`.
 * `resource` must be canonical (see `canonicalResource`).
 */
export function protectedResourceMetadataUrl(resource: string): string {
  const url = new URL(resource);
  const path = url.pathname === '/' ? '' : url.pathname;
  return `${url.origin}${PROTECTED_RESOURCE_WELL_KNOWN}${path}${url.search}`;
}
