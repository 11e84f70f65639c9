import { OidcConstants } from '../constants/oidc-constants.js';
import { DPoPClient } from '../dpop/dpop-client.js';
import { ConfigurationError } from '../errors.js';
import type { RetryMode } from '../http/types.js';
import { validateEndpointAddress } from '../protocol/endpoint-address.js';
import {
  type BasicAuthenticationHeaderStyle,
  type ClientAssertionOptions,
  type ClientAuthenticationMethod,
  ClientAuthenticator,
  type ClientPrivateKey,
} from './client-authentication.js';

const P = OidcConstants.TokenRequest;

/** Extra form fields; an array value repeats the field. */
export type TokenRequestParameters = Record<string, string | readonly string[] | undefined>;

/** What every token request has: where it goes, who the client is, and optional scope/resource/extras. */
export interface TokenRequestBaseOptions {
  /** The token endpoint URL (`http:` or `https:`). */
  address: string | URL;
  clientId: string;
  clientSecret?: string;
  /**
   * Default: `private_key_jwt` when `privateKey` is set, else `client_secret_basic` when `clientSecret` is set,
   * else `none` (a public client that sends only `client_id`).
   */
  clientAuthentication?: ClientAuthenticationMethod;
  /**
   * How `client_secret_basic` encodes id and secret: `rfc6749` (default, form-urlencoded first, RFC 6749
   * §2.3.1) or `rfc2617` (raw, for servers that do not decode, such as glewlwyd). See
   * `BasicAuthenticationHeaderStyle`.
   */
  basicAuthenticationHeaderStyle?: BasicAuthenticationHeaderStyle;
  /** Signing key for `private_key_jwt`. */
  privateKey?: ClientPrivateKey;
  clientAssertion?: ClientAssertionOptions;
  /** Space-separated string or a list. */
  scope?: string | readonly string[];
  /** RFC 8707 resource indicator(s), absolute URIs. */
  resource?: string | readonly string[];
  /** Extra form fields for the provider (cannot replace grant_type or the client credentials). */
  parameters?: TokenRequestParameters;
  /** Extra HTTP headers (cannot replace Authorization or Content-Type). */
  headers?: Record<string, string>;
  /** Whole-exchange timeout in ms for this request (default: the HTTP client's). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * Ask for a DPoP-bound token (RFC 9449 §5): every send carries a fresh `DPoP` proof for POST to the token
   * endpoint, and an `error: use_dpop_nonce` answer with a `DPoP-Nonce` is sent once more with that nonce.
   */
  dpop?: DPoPClient;
}

export interface TokenRequestOptions extends TokenRequestBaseOptions {
  /** The `grant_type`: an RFC 6749 name or an absolute URI for an extension grant. */
  grantType: string;
  /**
   * When the POST may be sent again (see `RetryMode`). Default `unsent`: safe for a grant that consumes a
   * one-time credential. Only choose `rate-limited` when repeating the request cannot do harm.
   */
  retry?: RetryMode;
}

const RESERVED = new Set<string>([
  P.GrantType,
  P.ClientId,
  P.ClientSecret,
  P.ClientAssertion,
  P.ClientAssertionType,
]);

function toList(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : [...value];
}

/** A `scope` option (a space-separated string or a list) as the one form field, or undefined when empty. */
export function scopeParameter(scope: string | readonly string[] | undefined): string | undefined {
  const scopes = toList(scope)
    .flatMap((s) => s.split(' '))
    .filter(Boolean);
  return scopes.length > 0 ? scopes.join(' ') : undefined;
}

/** RFC 8707 resource indicators, checked: absolute URIs without a fragment (§2). */
export function resourceIndicators(resource: string | readonly string[] | undefined): string[] {
  const list = toList(resource);
  for (const r of list) {
    if (!URL.canParse(r) || r.includes('#')) {
      throw new ConfigurationError(
        'resource: each resource indicator must be an absolute URI without a fragment',
      );
    }
  }
  return list;
}

/**
 * A token endpoint request (RFC 6749 §4). This generic form sends any grant, including extension grants
 * (`requestToken`); the subclasses name the standard grants. Options are validated here, once; a request
 * object may be sent many times.
 */
export class TokenRequest {
  readonly address: string;
  readonly grantType: string;
  readonly clientId: string;
  readonly clientAuthentication: ClientAuthenticationMethod;
  readonly scope: string | undefined;
  readonly resource: readonly string[];
  readonly parameters: Readonly<TokenRequestParameters>;
  readonly headers: Readonly<Record<string, string>>;
  readonly retry: RetryMode;
  readonly timeoutMs: number | undefined;
  readonly signal: AbortSignal | undefined;
  /** The DPoP key the token is bound to, when one is asked for. */
  readonly dpop: DPoPClient | undefined;
  /** @internal */
  readonly authenticator: ClientAuthenticator;

  constructor(options: TokenRequestOptions) {
    if (typeof options !== 'object' || options === null)
      throw new ConfigurationError('token request options: required');
    this.address = validateEndpointAddress(options.address, 'token endpoint');
    if (typeof options.grantType !== 'string' || options.grantType.length === 0) {
      throw new ConfigurationError('grantType: a non-empty string is required');
    }
    this.grantType = options.grantType;
    this.authenticator = new ClientAuthenticator(options);
    this.clientId = this.authenticator.clientId;
    this.clientAuthentication = this.authenticator.method;
    this.scope = scopeParameter(options.scope);
    this.resource = resourceIndicators(options.resource);
    const parameters = options.parameters ?? {};
    for (const name of Object.keys(parameters)) {
      if (RESERVED.has(name)) {
        throw new ConfigurationError(
          `parameters: "${name}" is set by the request itself and cannot be overridden`,
        );
      }
    }
    this.parameters = { ...parameters };
    const headers = options.headers ?? {};
    for (const name of Object.keys(headers)) {
      const lower = name.toLowerCase();
      if (lower === 'authorization' || lower === 'content-type' || lower === 'dpop') {
        throw new ConfigurationError(`headers: "${name}" is set by the request itself`);
      }
    }
    this.headers = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    this.retry = options.retry ?? 'unsent';
    this.timeoutMs = options.timeoutMs;
    this.signal = options.signal;
    if (options.dpop !== undefined && !(options.dpop instanceof DPoPClient)) {
      throw new ConfigurationError('dpop: a DPoPClient (new DPoPClient({ key })) is required');
    }
    this.dpop = options.dpop;
  }

  /** The grant's own form fields (besides grant_type, scope, resource, extras and client authentication). */
  protected grantParameters(): Array<[string, string | undefined]> {
    return [];
  }

  /** @internal Builds the form and headers, client authentication included. */
  async build(): Promise<{ form: URLSearchParams; headers: Record<string, string> }> {
    const form = new URLSearchParams();
    form.set(P.GrantType, this.grantType);
    for (const [name, value] of this.grantParameters()) {
      if (value !== undefined) form.set(name, value);
    }
    if (this.scope !== undefined) form.set(P.Scope, this.scope);
    for (const r of this.resource) form.append(P.Resource, r);
    for (const [name, value] of Object.entries(this.parameters)) {
      for (const v of toList(value)) form.append(name, v);
    }
    const headers: Record<string, string> = { ...this.headers, accept: 'application/json' };
    await this.authenticator.apply(this.address, headers, form);
    return { form, headers };
  }
}
