import type { DiscoveryDocumentResponse } from '../discovery/discovery-document-response.js';
import { DiscoveryPolicy, type DiscoveryPolicyOptions } from '../discovery/discovery-policy.js';
import { DiscoveryDocumentRequest, getDiscoveryDocument } from '../discovery/get-discovery-document.js';
import { ConfigurationError, IdentityModelError } from '../errors.js';
import type { HttpClient } from '../http/types.js';

/** An endpoint URL as given by a caller: absolute http(s), no credentials in it. Returns its `href`. */
export function validateEndpointAddress(address: string | URL, what: string): string {
  let url: URL;
  try {
    url = new URL(address);
  } catch (err) {
    throw new ConfigurationError(`address: the ${what} must be an absolute http(s) URL`, { cause: err });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigurationError(`address: the ${what} must be an http(s) URL`);
  }
  if (url.username || url.password) {
    throw new ConfigurationError(
      `address: credentials in the ${what} URL are not allowed; use the client authentication options`,
    );
  }
  return url.href;
}

/** Where an endpoint request goes: its URL, or the issuer whose discovery document names it. */
export interface EndpointLocationOptions {
  /** The endpoint URL. */
  address?: string | URL;
  /** Or the issuer (authority): the endpoint is read from its discovery document, once per request object. */
  authority?: string;
  /** The discovery policy applied when `authority` is given (default: the `DiscoveryPolicy` defaults). */
  discoveryPolicy?: DiscoveryPolicy | DiscoveryPolicyOptions;
}

/** The endpoint could not be read from the authority's discovery document. */
export class EndpointDiscoveryError extends IdentityModelError {
  readonly httpStatus: number | undefined;

  constructor(message: string, options: { cause?: unknown; httpStatus?: number | undefined }) {
    super(message, { code: 'discovery_failed', cause: options.cause });
    this.name = 'EndpointDiscoveryError';
    this.httpStatus = options.httpStatus;
  }
}

/**
 * One endpoint of an OAuth/OIDC server (`introspection_endpoint`, `revocation_endpoint`, …), located by address
 * or through discovery. Discovery runs once per locator and only when it succeeds is its answer kept, so a
 * request object sent many times costs one discovery. With `mtls`, the `mtls_endpoint_aliases` entry wins
 * (RFC 8705 §5): a client that authenticates with a certificate must use the alias.
 */
export class EndpointLocator {
  readonly address: string | undefined;
  readonly authority: string | undefined;
  readonly metadata: string;
  readonly #what: string;
  readonly #policy: DiscoveryPolicy | undefined;
  readonly #resolved = new Map<boolean, string>();
  #document: DiscoveryDocumentResponse | undefined;

  constructor(options: EndpointLocationOptions, metadata: string, what: string) {
    this.metadata = metadata;
    this.#what = what;
    const { address, authority } = options;
    if ((address === undefined) === (authority === undefined)) {
      throw new ConfigurationError(
        `address or authority: give exactly one (the ${what} URL, or the issuer whose discovery names it)`,
      );
    }
    if (address !== undefined) {
      this.address = validateEndpointAddress(address, what);
      return;
    }
    if (typeof authority !== 'string' || !URL.canParse(authority)) {
      throw new ConfigurationError('authority: must be the issuer as an absolute URL');
    }
    this.authority = authority;
    const policy = options.discoveryPolicy;
    // A client needs the endpoint, not the key set.
    this.#policy =
      policy instanceof DiscoveryPolicy ? policy : new DiscoveryPolicy({ requireKeySet: false, ...policy });
  }

  /**
   * The URL to send to. Rejects with `EndpointDiscoveryError` when discovery fails or names no such endpoint.
   * `mtls` defaults to whether the HTTP client presents a client certificate (RFC 8705 §5: a client using
   * mutual TLS uses the aliases, for certificate-bound tokens as much as for client authentication).
   */
  async resolve(
    httpClient: HttpClient,
    options: { mtls?: boolean; signal?: AbortSignal } = {},
  ): Promise<string> {
    const mtls = options.mtls ?? httpClient.clientCertificateThumbprint !== undefined;
    if (this.address !== undefined) return this.address;
    const known = this.#resolved.get(mtls);
    if (known !== undefined) return known;
    const response = await getDiscoveryDocument(
      new DiscoveryDocumentRequest({
        address: this.authority as string,
        ...(this.#policy === undefined ? {} : { policy: this.#policy }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      }),
      httpClient,
    );
    const address = this.#fromDocument(response, mtls);
    this.#resolved.set(mtls, address);
    this.#document = response;
    return address;
  }

  /**
   * The discovery document `resolve` read (undefined with `address`, or before the first successful
   * `resolve`): a signed response is verified with its `issuer` and `jwks_uri`, at no second fetch.
   */
  get document(): DiscoveryDocumentResponse | undefined {
    return this.#document;
  }

  #fromDocument(response: DiscoveryDocumentResponse, mtls: boolean): string {
    if (!response.isSuccessful) {
      throw new EndpointDiscoveryError(
        `could not read the ${this.#what} from discovery: ${response.error ?? 'unknown error'}`,
        { cause: response.cause, httpStatus: response.httpStatus },
      );
    }
    const alias = mtls ? response.mtlsEndpointAliases?.[this.metadata] : undefined;
    const named = alias ?? response.raw[this.metadata];
    if (typeof named !== 'string' || named === '') {
      throw new EndpointDiscoveryError(`the discovery document names no ${this.metadata}`, {
        httpStatus: response.httpStatus,
      });
    }
    try {
      return validateEndpointAddress(named, this.#what);
    } catch (cause) {
      throw new EndpointDiscoveryError(`the discovery document's ${this.metadata} is not a usable URL`, {
        cause,
      });
    }
  }
}
