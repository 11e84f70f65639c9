import { ConfigurationError } from '../errors.js';
import {
  canonicalResource,
  canonicalResourceOrUndefined,
  PROTECTED_RESOURCE_WELL_KNOWN,
  protectedResourceMetadataUrl,
} from './resource-identifier.js';
import type {
  ProtectedResourceMetadataDocument,
  ResourceMetadataOptions,
} from './resource-metadata-options.js';

/** What the authenticator knows that the document defaults to. */
export interface ResourceMetadataDefaults {
  /** The accepted issuers: the default `authorization_servers`. */
  issuers?: readonly string[] | undefined;
  /** `allowBodyToken` / `allowQueryToken`: the default `bearer_methods_supported`. */
  allowBodyToken?: boolean | undefined;
  allowQueryToken?: boolean | undefined;
  /** The DPoP algorithms offered in challenges, when DPoP is offered. */
  dpopAlgorithms?: readonly string[] | undefined;
  /** `true` when only DPoP-bound tokens are accepted (no Bearer challenge). */
  dpopRequired?: boolean | undefined;
  /** `true` when client certificates are read (`mtls` options): certificate-bound tokens are supported. */
  mtlsBound?: boolean | undefined;
}

/** The metadata of one resource server, built and checked once: what is served and where. */
export interface ResourceMetadata {
  /** The canonical resource identifier (the required audience unless `audience` is given). */
  readonly resource: string;
  /** The path-inserted well-known URL (RFC 9728 §3.1), sent as `resource_metadata` in every challenge. */
  readonly url: string;
  /** The request paths that serve the document: the path-inserted one and, for a resource with a path, the bare one. */
  readonly paths: readonly string[];
  readonly document: Readonly<ProtectedResourceMetadataDocument>;
  /** The document as sent (JSON). */
  readonly body: string;
  /** `Cache-Control` of the document. */
  readonly cacheControl: string;
}

const BEARER_METHODS = new Set(['header', 'body', 'query']);
// The characters RFC 6749 §3.3 allows in a scope token; algorithm names and types fit them too.
const TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]{1,256}$/;
const MAX_LIST = 100;
const MAX_TEXT = 1024;
const MAX_CACHE_AGE = 7 * 24 * 3600;

function fail(member: string, what: string): never {
  throw new ConfigurationError(`resourceMetadata.${member} must be ${what}`);
}

function tokens(member: string, value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    value.length > MAX_LIST ||
    !value.every((v) => typeof v === 'string' && TOKEN.test(v))
  ) {
    fail(member, `a non-empty list (at most ${MAX_LIST}) of names without spaces, quotes or backslashes`);
  }
  return Object.freeze([...new Set(value as string[])]);
}

function text(member: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > MAX_TEXT ||
    /[^\x20-\x7E\u00A0-\uFFFF]/.test(value)
  ) {
    fail(member, `a non-empty string of at most ${MAX_TEXT} characters without control characters`);
  }
  return value;
}

function httpsUrl(member: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const canonical = canonicalResourceOrUndefined(value, { allowQuery: true });
  if (canonical === undefined)
    fail(member, 'an absolute https URL (http on loopback only) without a fragment');
  return value as string;
}

function flag(member: string, value: unknown): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') fail(member, 'true or false');
  return value as boolean | undefined;
}

function issuers(value: unknown, defaults: readonly string[] | undefined): readonly string[] | undefined {
  if (value === undefined) return defaults === undefined ? undefined : Object.freeze([...new Set(defaults)]);
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_LIST) {
    fail('authorizationServers', 'a non-empty list of issuer URLs');
  }
  for (const issuer of value) httpsUrl('authorizationServers', issuer);
  return Object.freeze([...new Set(value as string[])]);
}

function bearerMethods(
  options: ResourceMetadataOptions,
  defaults: ResourceMetadataDefaults,
): readonly string[] {
  const given = options.bearerMethodsSupported;
  if (given === undefined) {
    return Object.freeze([
      'header',
      ...(defaults.allowBodyToken ? ['body'] : []),
      ...(defaults.allowQueryToken ? ['query'] : []),
    ]);
  }
  if (!Array.isArray(given) || !given.every((m) => BEARER_METHODS.has(m))) {
    fail(
      'bearerMethodsSupported',
      'a list of "header", "body" and "query" (an empty list: bearer tokens are not accepted)',
    );
  }
  return Object.freeze([...new Set(given)]);
}

function cacheControl(value: unknown): string {
  if (value === undefined) return 'public, max-age=3600';
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > MAX_CACHE_AGE) {
    fail('cacheMaxAge', `a whole number of seconds from 0 to ${MAX_CACHE_AGE}`);
  }
  return value === 0 ? 'no-cache' : `public, max-age=${value}`;
}

/**
 * Checks `resourceMetadata` and builds the document once (RFC 9728 §2): members given win, the rest default
 * to what the authenticator is configured with. A `ConfigurationError` names the member to change.
 */
export function buildResourceMetadata(
  options: ResourceMetadataOptions,
  defaults: ResourceMetadataDefaults = {},
): ResourceMetadata {
  if (options === null || typeof options !== 'object') {
    throw new ConfigurationError(
      'resourceMetadata must be an object: { resource: "https://api.example.com/mcp", … }',
    );
  }
  const resource = canonicalResource(options.resource);
  const members: Record<string, unknown> = {
    resource,
    authorization_servers: issuers(options.authorizationServers, defaults.issuers),
    jwks_uri: httpsUrl('jwksUri', options.jwksUri),
    scopes_supported: tokens('scopesSupported', options.scopesSupported),
    bearer_methods_supported: bearerMethods(options, defaults),
    resource_signing_alg_values_supported: tokens(
      'resourceSigningAlgValuesSupported',
      options.resourceSigningAlgValuesSupported,
    ),
    resource_name: text('resourceName', options.resourceName),
    resource_documentation: httpsUrl('resourceDocumentation', options.resourceDocumentation),
    resource_policy_uri: httpsUrl('resourcePolicyUri', options.resourcePolicyUri),
    resource_tos_uri: httpsUrl('resourceTosUri', options.resourceTosUri),
    tls_client_certificate_bound_access_tokens:
      flag('tlsClientCertificateBoundAccessTokens', options.tlsClientCertificateBoundAccessTokens) ??
      (defaults.mtlsBound ? true : undefined),
    authorization_details_types_supported: tokens(
      'authorizationDetailsTypesSupported',
      options.authorizationDetailsTypesSupported,
    ),
    dpop_signing_alg_values_supported:
      tokens('dpopSigningAlgValuesSupported', options.dpopSigningAlgValuesSupported) ??
      (defaults.dpopAlgorithms && defaults.dpopAlgorithms.length > 0
        ? Object.freeze([...defaults.dpopAlgorithms])
        : undefined),
    dpop_bound_access_tokens_required:
      flag('dpopBoundAccessTokensRequired', options.dpopBoundAccessTokensRequired) ??
      (defaults.dpopRequired ? true : undefined),
    signed_metadata: text('signedMetadata', options.signedMetadata),
  };
  const document = Object.freeze(
    Object.fromEntries(Object.entries(members).filter(([, v]) => v !== undefined)),
  ) as unknown as Readonly<ProtectedResourceMetadataDocument>;
  const url = protectedResourceMetadataUrl(resource);
  const path = new URL(url).pathname;
  return Object.freeze({
    resource,
    url,
    paths: Object.freeze(
      path === PROTECTED_RESOURCE_WELL_KNOWN ? [path] : [path, PROTECTED_RESOURCE_WELL_KNOWN],
    ),
    document,
    body: JSON.stringify(document),
    cacheControl: cacheControl(options.cacheMaxAge),
  });
}
