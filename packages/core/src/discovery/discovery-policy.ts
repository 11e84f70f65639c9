import { ConfigurationError } from '../errors.js';

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
  /** Every endpoint must be on the issuer's origin or an `additionalEndpointBaseAddresses` entry. Default true. */
  validateEndpoints?: boolean;
  /** Base addresses endpoints may also live under (e.g. a CDN serving `jwks_uri`). */
  additionalEndpointBaseAddresses?: readonly string[];
  /** Metadata names exempt from endpoint validation (e.g. `end_session_endpoint`). */
  endpointValidationExcludeList?: readonly string[];
  /** The document must publish `jwks_uri`. Default true. */
  requireKeySet?: boolean;
}

/** Compares issuers exactly, tolerating a single trailing slash difference (`https://a/` = `https://a`). */
export const defaultIssuerComparer: IssuerComparer = (expected, actual) =>
  trimSlash(expected) === trimSlash(actual);

/**
 * For multi-tenant providers such as Microsoft Entra ID, whose shared metadata (`/common`,
 * `/organizations`) declares an issuer template like `https://login.microsoftonline.com/{tenantid}/v2.0`:
 * `{tenantid}` (any `{…}` placeholder) matches one path segment of the expected issuer.
 */
export const tenantTemplateIssuerComparer: IssuerComparer = (expected, actual) => {
  if (!/\{[^}/]+\}/.test(actual)) return defaultIssuerComparer(expected, actual);
  const pattern = trimSlash(actual)
    .split(/\{[^}/]+\}/)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/]+');
  return new RegExp(`^${pattern}$`).test(trimSlash(expected));
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

  constructor(options: DiscoveryPolicyOptions = {}) {
    this.authority = options.authority;
    this.requireHttps = options.requireHttps ?? true;
    this.allowHttpOnLoopback = options.allowHttpOnLoopback ?? true;
    this.validateIssuerName = options.validateIssuerName ?? true;
    this.issuerComparer = options.issuerComparer ?? defaultIssuerComparer;
    this.validateEndpoints = options.validateEndpoints ?? true;
    this.requireKeySet = options.requireKeySet ?? true;
    this.endpointValidationExcludeList = [...(options.endpointValidationExcludeList ?? [])];
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
