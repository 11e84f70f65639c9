import { ConfigurationError } from '../errors.js';
import { getDefaultHttpClient } from '../http/default-client.js';
import type { HttpClient, HttpResponse, RetryMode } from '../http/types.js';
import { ClientAuthenticator, type ClientCredentialsInput } from '../token/client-authentication.js';
import { type EndpointLocationOptions, EndpointLocator } from './endpoint-address.js';

/** Extra form fields; an array value repeats the field. */
export type EndpointParameters = Record<string, string | readonly string[] | undefined>;

/** What a client-authenticated endpoint request takes besides its own fields. */
export interface AuthenticatedRequestOptions extends ClientCredentialsInput, EndpointLocationOptions {
  /** Extra form fields for the server (cannot replace the request's own fields or the client credentials). */
  parameters?: EndpointParameters;
  /** Extra HTTP headers (cannot replace Authorization, Content-Type or Accept). */
  headers?: Record<string, string>;
  /** Whole-exchange timeout in ms for this request (default: the HTTP client's). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

const CLIENT_FIELDS = ['client_id', 'client_secret', 'client_assertion', 'client_assertion_type'];
const OWN_HEADERS = new Set(['authorization', 'content-type', 'accept']);

/**
 * Caller-given extra headers, with lower-case names; throws `ConfigurationError` for one the request sets itself
 * (by default Authorization, Content-Type and Accept).
 */
export function extraHeaders(
  headers: Record<string, string> | undefined,
  reserved: ReadonlySet<string> = OWN_HEADERS,
): Readonly<Record<string, string>> {
  const given = headers ?? {};
  for (const name of Object.keys(given)) {
    if (reserved.has(name.toLowerCase())) {
      throw new ConfigurationError(`headers: "${name}" is set by the request itself`);
    }
  }
  return Object.fromEntries(Object.entries(given).map(([k, v]) => [k.toLowerCase(), v]));
}

function toList(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : [...value];
}

/**
 * A form POST to an endpoint that authenticates the client (introspection, revocation, PAR, device
 * authorization) with the same five methods and options as the token endpoint. Options are validated once,
 * here; the object may be sent many times.
 */
export class AuthenticatedEndpointRequest {
  readonly locator: EndpointLocator;
  readonly clientId: string;
  readonly parameters: Readonly<EndpointParameters>;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number | undefined;
  readonly signal: AbortSignal | undefined;
  /** @internal */
  readonly authenticator: ClientAuthenticator;

  /**
   * `metadata` is the discovery member naming the endpoint; `what` names it in messages; `ownFields` are the
   * form fields the request sets itself (extra parameters cannot replace them).
   */
  constructor(
    options: AuthenticatedRequestOptions,
    endpoint: { metadata: string; what: string; ownFields: readonly string[] },
  ) {
    if (typeof options !== 'object' || options === null) {
      throw new ConfigurationError(`${endpoint.what} request options: required`);
    }
    this.locator = new EndpointLocator(options, endpoint.metadata, endpoint.what);
    this.authenticator = new ClientAuthenticator(options);
    this.clientId = this.authenticator.clientId;
    const reserved = new Set([...CLIENT_FIELDS, ...endpoint.ownFields]);
    const parameters = options.parameters ?? {};
    for (const name of Object.keys(parameters)) {
      if (reserved.has(name)) {
        throw new ConfigurationError(
          `parameters: "${name}" is set by the request itself and cannot be overridden`,
        );
      }
    }
    this.parameters = { ...parameters };
    this.headers = extraHeaders(options.headers);
    this.timeoutMs = options.timeoutMs;
    this.signal = options.signal;
  }

  /**
   * Sends `fields` (undefined values left out) with the extra parameters and the client authentication.
   * Throws what the HTTP client or discovery throws; endpoint functions turn that into a response.
   */
  async post(
    httpClient: HttpClient | undefined,
    fields: ReadonlyArray<readonly [string, string | undefined]>,
    options: { retry: RetryMode; accept: string },
  ): Promise<HttpResponse> {
    const client = httpClient ?? getDefaultHttpClient();
    this.authenticator.checkTransport(client);
    // RFC 8705 §5: a client authenticating with its certificate goes to the mTLS alias of the endpoint.
    const address = await this.locator.resolve(client, {
      ...(this.authenticator.mutualTls ? { mtls: true } : {}),
      ...(this.signal === undefined ? {} : { signal: this.signal }),
    });
    this.authenticator.checkTransport(client, address);
    const form = new URLSearchParams();
    // append: a field may repeat (RFC 8707 `resource`).
    for (const [name, value] of fields) if (value !== undefined) form.append(name, value);
    for (const [name, value] of Object.entries(this.parameters)) {
      for (const v of toList(value)) form.append(name, v);
    }
    const headers: Record<string, string> = { ...this.headers, accept: options.accept };
    await this.authenticator.apply(address, headers, form);
    return client.request({
      url: address,
      method: 'POST',
      headers,
      body: form,
      retry: options.retry,
      timeoutMs: this.timeoutMs,
      signal: this.signal,
      followRedirects: false,
    });
  }
}
