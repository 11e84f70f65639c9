import { ConfigurationError } from '../errors.js';
import { REQUIRABLE_METADATA } from './required-metadata.js';

/** Decides whether the issuer a document declares matches the one that was asked for. */
export type IssuerComparer = (expected: string, actual: string) => boolean;

export interface DiscoveryPolicyOptions {
  /**
   * The expected issuer when it is not the address the document is fetched from (for instance when the
   * address is a well-known URL on another path). Default: derived from the request address.
   */
  authority?: string;
  /** Every URL must be https. Default true. */
  requireHttps?: boolean;
  /** With `requireHttps`, still allow http on loopback hosts (127.0.0.0/8, ::1, localhost). Default true. */
  allowHttpOnLoopback?: boolean;
  /** The document's `issuer` must match the authority. Default true. */
  validateIssuerName?: boolean;
  /** How issuers are compared. Default: exact, ignoring one trailing slash. */
  issuerComparer?: IssuerComparer;
  /**
   * Every endpoint must be on the issuer's origin or an `additionalEndpointBaseAddresses` entry. Default true
   * (token validation: false unless set, so that a `jwks_uri` on another host, like Google's, works).
   */
  validateEndpoints?: boolean;
  /** Base addresses endpoints may also live under (e.g. a CDN serving `jwks_uri`). */
  additionalEndpointBaseAddresses?: readonly string[];
  /** Metadata names exempt from endpoint validation (e.g. `end_session_endpoint`). */
  endpointValidationExcludeList?: readonly string[];
  /**
   * Only these metadata names are checked (scheme, and origin with `validateEndpoints`): the endpoints the
   * caller uses. Default: every endpoint and mTLS alias. Token validation uses `['jwks_uri']`.
   */
  usedEndpoints?: readonly string[];
  /** The document must publish `jwks_uri`. Default true; false also tolerates a missing `jwks_uri` below. */
  requireKeySet?: boolean;
  /**
   * The document must carry every field its specification requires: OpenID Connect Discovery 1.0 §3 at
   * `/.well-known/openid-configuration`, RFC 8414 §2 at `/.well-known/oauth-authorization-server`. A
   * document that lacks one is refused with an error naming them. Default true.
   */
  requireMetadata?: boolean;
  /** Required fields tolerated as missing, for a provider whose document is incomplete (e.g. `subject_types_supported`). */
  optionalMetadata?: readonly string[];
}

/** Compares issuers exactly, tolerating a single trailing slash difference (`https://a/` = `https://a`). */
export const defaultIssuerComparer: IssuerComparer = (expected, actual) =>
  trimSlash(expected) === trimSlash(actual);

/** `{tenantid}`, `{tenant}` …: a whole path segment that is a placeholder. */
function isPlaceholder(segment: string): boolean {
  return segment.length > 2 && segment.startsWith('{') && segment.indexOf('}') === segment.length - 1;
}

/** What a placeholder may stand for: a non-empty run of RFC 3986 unreserved characters, not `.` or `..`. */
function isTenantValue(segment: string): boolean {
  return /^[A-Za-z0-9._~-]+$/.test(segment) && segment !== '.' && segment !== '..';
}

/**
 * For multi-tenant providers such as Microsoft Entra ID, whose shared metadata (`/common`,
 * `/organizations`) declares an issuer template like `https://login.microsoftonline.com/{tenantid}/v2.0`:
 * a path segment that is a `{…}` placeholder matches one path segment of the expected issuer (a tenant id
 * or name: unreserved characters only, so no `/`, `%`, `.` or `..` tricks); every other part, the scheme
 * and host above all, must be equal. One pass over the segments, no regular expression built from the
 * document: a hostile template costs time linear in its length.
 */
export const tenantTemplateIssuerComparer: IssuerComparer = (expected, actual) => {
  const template = trimSlash(actual).split('/');
  // Segments 0-2 are the scheme, the empty string between `//`, and the host: never templated.
  if (!template.some((segment, index) => index > 2 && isPlaceholder(segment))) {
    return defaultIssuerComparer(expected, actual);
  }
  const candidate = trimSlash(expected).split('/');
  if (candidate.length !== template.length) return false;
  return template.every((segment, index) =>
    index > 2 && isPlaceholder(segment) ? isTenantValue(candidate[index]!) : segment === candidate[index],
  );
};

function trimSlash(value: string): string {
  return value.endsWith('/') ? value.slice(0, -1) : value;
}

const LOOPBACK_NAMES = new Set(['localhost', '[::1]']);

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return LOOPBACK_NAMES.has(host) || host.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(host);
}

/** The rules a discovery document must pass (OpenID Connect Discovery 1.0 §4.3, RFC 8414 §3.3). */
export class DiscoveryPolicy {
  readonly authority: string | undefined;
  readonly requireHttps: boolean;
  readonly allowHttpOnLoopback: boolean;
  readonly validateIssuerName: boolean;
  readonly issuerComparer: IssuerComparer;
  readonly validateEndpoints: boolean;
  readonly additionalEndpointBaseAddresses: readonly string[];
  readonly endpointValidationExcludeList: readonly string[];
  readonly requireKeySet: boolean;
  readonly usedEndpoints: ReadonlySet<string> | undefined;
  readonly requireMetadata: boolean;
  readonly optionalMetadata: ReadonlySet<string>;

  constructor(options: DiscoveryPolicyOptions = {}) {
    this.authority = options.authority;
    this.requireHttps = options.requireHttps ?? true;
    this.allowHttpOnLoopback = options.allowHttpOnLoopback ?? true;
    this.validateIssuerName = options.validateIssuerName ?? true;
    this.issuerComparer = options.issuerComparer ?? defaultIssuerComparer;
    this.validateEndpoints = options.validateEndpoints ?? true;
    this.requireKeySet = options.requireKeySet ?? true;
    this.endpointValidationExcludeList = [...(options.endpointValidationExcludeList ?? [])];
    this.usedEndpoints = options.usedEndpoints && new Set(options.usedEndpoints);
    this.requireMetadata = options.requireMetadata ?? true;
    this.optionalMetadata = new Set(options.optionalMetadata ?? []);
    for (const name of this.optionalMetadata) {
      if (!REQUIRABLE_METADATA.has(name) || name === 'issuer') {
        throw new ConfigurationError(
          `optionalMetadata lists ${JSON.stringify(name)}, which no specification requires or which cannot be missing; ` +
            `list only some of ${[...REQUIRABLE_METADATA].filter((n) => n !== 'issuer').join(', ')}`,
        );
      }
    }
    this.additionalEndpointBaseAddresses = (options.additionalEndpointBaseAddresses ?? []).map((base) => {
      try {
        return new URL(base).href;
      } catch (cause) {
        throw new ConfigurationError(`additionalEndpointBaseAddresses has an invalid URL: ${base}`, {
          cause,
        });
      }
    });
  }

  /** Why this URL's scheme is not allowed, or undefined when it is. */
  schemeViolation(url: URL): string | undefined {
    if (url.protocol === 'https:') return undefined;
    if (url.protocol !== 'http:') return `${url.protocol} URLs are not allowed`;
    if (!this.requireHttps) return undefined;
    if (this.allowHttpOnLoopback && isLoopbackHost(url.hostname)) return undefined;
    return 'https is required';
  }

  /** Whether an endpoint URL lives on the issuer's origin or under an allow-listed base address. */
  isEndpointAllowed(endpoint: URL, issuer: URL): boolean {
    if (endpoint.origin === issuer.origin) return true;
    return this.additionalEndpointBaseAddresses.some((base) => {
      const baseUrl = new URL(base);
      if (endpoint.origin !== baseUrl.origin) return false;
      const prefix = baseUrl.pathname.endsWith('/') ? baseUrl.pathname : `${baseUrl.pathname}/`;
      return endpoint.pathname === baseUrl.pathname || endpoint.pathname.startsWith(prefix);
    });
  }
}
