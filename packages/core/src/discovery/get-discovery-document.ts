import { type DiscoveryFetchEvent, discoveryFetchChannel, eventUrl } from '../diagnostics.js';
import { HttpError } from '../errors.js';
import { getDefaultHttpClient } from '../http/default-client.js';
import type { HttpClient, HttpResponse } from '../http/types.js';
import { checkPolicy } from './check-policy.js';
import { DiscoveryDocumentResponse, type DiscoveryErrorType } from './discovery-document-response.js';
import { DiscoveryPolicy, type DiscoveryPolicyOptions } from './discovery-policy.js';
import { findTypeProblem } from './metadata-fields.js';
import type { DiscoveryProfile } from './required-metadata.js';

const OIDC_WELL_KNOWN = '/.well-known/openid-configuration';
const OAUTH_WELL_KNOWN = '/.well-known/oauth-authorization-server';

export interface DiscoveryDocumentRequestOptions {
  /** The issuer (`https://idp.example/tenant`) or the full well-known URL. */
  address: string;
  policy?: DiscoveryPolicy | DiscoveryPolicyOptions;
  /** Response size cap in bytes (default: the client's, 1 MiB). */
  maxBodyBytes?: number;
  /** Whole-exchange timeout in ms (default: the client's). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export class DiscoveryDocumentRequest {
  readonly address: string;
  readonly policy: DiscoveryPolicy;
  readonly maxBodyBytes: number | undefined;
  readonly timeoutMs: number | undefined;
  readonly signal: AbortSignal | undefined;

  constructor(options: DiscoveryDocumentRequestOptions) {
    this.address = options.address;
    this.policy =
      options.policy instanceof DiscoveryPolicy ? options.policy : new DiscoveryPolicy(options.policy);
    this.maxBodyBytes = options.maxBodyBytes;
    this.timeoutMs = options.timeoutMs;
    this.signal = options.signal;
  }
}

/** Where to fetch from, which issuer the document must declare, and which specification it follows. */
export interface DiscoveryTarget {
  url: URL;
  authority: string;
  profile: DiscoveryProfile;
}

/**
 * Turns an issuer or a well-known URL into both forms. Trailing slashes on the issuer are dropped;
 * the RFC 8414 path-inserted form (`/.well-known/oauth-authorization-server/tenant`) maps back to
 * `https://host/tenant`.
 */
export function resolveDiscoveryTarget(address: string): DiscoveryTarget {
  const url = new URL(address.trim());
  url.hash = '';
  const path = url.pathname;
  const oidc = path.indexOf(OIDC_WELL_KNOWN);
  if (oidc >= 0) {
    return { url, authority: `${url.origin}${path.slice(0, oidc)}`, profile: 'openid' };
  }
  if (path.startsWith(OAUTH_WELL_KNOWN)) {
    const rest = path.slice(OAUTH_WELL_KNOWN.length);
    return { url, authority: `${url.origin}${rest.replace(/\/+$/, '')}`, profile: 'oauth' };
  }
  const issuerPath = path.replace(/\/+$/, '');
  const authority = `${url.origin}${issuerPath}`;
  return { url: new URL(`${authority}${OIDC_WELL_KNOWN}`), authority, profile: 'openid' };
}

function fail(
  errorType: DiscoveryErrorType,
  error: string,
  extra: {
    httpStatus?: number;
    cause?: unknown;
    raw?: Record<string, unknown>;
    headers?: Record<string, string>;
  } = {},
): DiscoveryDocumentResponse {
  return new DiscoveryDocumentResponse({ errorType, error, ...extra });
}

/** `application/json` or a `+json` media type; anything else (an HTML error page …) is refused. */
export function isJsonContentType(value: string | undefined): boolean {
  if (value === undefined) return false;
  const type = value.split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

function parseDocument(response: HttpResponse): DiscoveryDocumentResponse | Record<string, unknown> {
  const base = { httpStatus: response.status, headers: response.headers };
  if (response.status >= 300 && response.status < 400) {
    return fail(
      'http',
      `discovery endpoint redirected (${response.status}); redirects are not followed`,
      base,
    );
  }
  if (response.status !== 200) {
    return fail('http', `discovery endpoint answered ${response.status}`, base);
  }
  const contentType = response.headers['content-type'];
  if (!isJsonContentType(contentType)) {
    return fail(
      'protocol',
      `discovery endpoint answered ${contentType ?? 'no content type'}, not JSON`,
      base,
    );
  }
  let document: unknown;
  try {
    document = JSON.parse(response.body.toString('utf8'));
  } catch (cause) {
    return fail('protocol', 'discovery document is not valid JSON', { ...base, cause });
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    return fail('protocol', 'discovery document is not a JSON object', base);
  }
  return document as Record<string, unknown>;
}

/**
 * Fetches and validates an OpenID Connect / RFC 8414 discovery document. Never throws: failures come back
 * as a response with `isSuccessful === false`, an `error` and an `errorType`.
 */
export function getDiscoveryDocument(
  request: DiscoveryDocumentRequest,
  httpClient: HttpClient = getDefaultHttpClient(),
): Promise<DiscoveryDocumentResponse> {
  return fetchDiscoveryDocument(request, httpClient, 'uncached');
}

/** @internal `getDiscoveryDocument`, published on `identity-model:discovery:fetch` with why it was fetched. */
export function fetchDiscoveryDocument(
  request: DiscoveryDocumentRequest,
  httpClient: HttpClient,
  reason: DiscoveryFetchEvent['reason'],
): Promise<DiscoveryDocumentResponse> {
  if (!discoveryFetchChannel.hasSubscribers) return loadDocument(request, httpClient);
  const started = performance.now();
  return loadDocument(request, httpClient).then((response) => {
    let url = '';
    try {
      url = eventUrl(resolveDiscoveryTarget(request.address).url);
    } catch {}
    discoveryFetchChannel.publish({
      url,
      reason,
      outcome: response.isSuccessful ? 'ok' : 'error',
      ...(response.httpStatus === undefined ? {} : { status: response.httpStatus }),
      ...(response.errorType === undefined ? {} : { errorType: response.errorType }),
      durationMs: performance.now() - started,
    });
    return response;
  });
}

async function loadDocument(
  request: DiscoveryDocumentRequest,
  httpClient: HttpClient,
): Promise<DiscoveryDocumentResponse> {
  const { policy } = request;
  let target: DiscoveryTarget;
  try {
    target = resolveDiscoveryTarget(request.address);
  } catch (cause) {
    return fail('exception', 'the discovery address is not a valid URL', { cause });
  }
  const authority = policy.authority ?? target.authority;
  const schemeProblem = policy.schemeViolation(target.url);
  if (schemeProblem) return fail('policy', `discovery address: ${schemeProblem}`);

  let response: HttpResponse;
  try {
    response = await httpClient.request({
      url: target.url,
      method: 'GET',
      headers: { accept: 'application/json' },
      retry: 'all',
      ...(request.maxBodyBytes === undefined ? {} : { maxBodyBytes: request.maxBodyBytes }),
      ...(request.timeoutMs === undefined ? {} : { timeoutMs: request.timeoutMs }),
      ...(request.signal === undefined ? {} : { signal: request.signal }),
    });
  } catch (cause) {
    if (cause instanceof HttpError) {
      return fail('http', `discovery request failed: ${cause.message}`, {
        cause,
        ...(cause.status === undefined ? {} : { httpStatus: cause.status }),
      });
    }
    return fail('exception', `discovery request failed: ${(cause as Error).message}`, { cause });
  }

  const parsed = parseDocument(response);
  if (parsed instanceof DiscoveryDocumentResponse) return parsed;
  const base = { httpStatus: response.status, headers: response.headers, raw: parsed };

  if (typeof parsed.issuer !== 'string' || parsed.issuer === '') {
    return fail('protocol', 'the document has no issuer', base);
  }
  const typeProblem = findTypeProblem(parsed);
  if (typeProblem) return fail('protocol', typeProblem, base);
  if (!URL.canParse(parsed.issuer)) return fail('protocol', 'issuer must be an absolute URL', base);

  const refusal = checkPolicy(parsed, authority, target.profile, policy);
  if (refusal) return fail(refusal.errorType, refusal.error, { ...base, cause: refusal.cause });

  return new DiscoveryDocumentResponse(base);
}
