import type { Dispatcher } from 'undici';
import type { Logger } from '../logger.js';
import type { ClientCertificate } from '../mtls/client-certificate.js';

/**
 * When a failed exchange may be sent again.
 * - `all`: GETs of metadata and key sets: 429, 503, other 5xx, network errors.
 * - `rate-limited`: POSTs that are safe to repeat (client credentials): 429, 503 and network errors.
 * - `unsent`: POSTs that consume a one-time credential (code, refresh token, device code): only failures
 *   where the request cannot have reached the server (connection refused, DNS).
 * - `none`: never.
 */
export type RetryMode = 'all' | 'rate-limited' | 'unsent' | 'none';

/** PUT and DELETE serve RFC 7592 client management; everything else is GET or POST. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface HttpRequest {
  url: string | URL;
  /** Default GET without a body, POST with one. */
  method?: HttpMethod;
  headers?: Record<string, string>;
  /** A request body; a form is sent as `application/x-www-form-urlencoded`. */
  body?: string | URLSearchParams;
  /** Default `all` for GET, `none` for POST, PUT and DELETE. */
  retry?: RetryMode;
  /** Overrides the client's default cap for this request (bytes). */
  maxBodyBytes?: number;
  /** Overrides the client's timeout for this request (ms), whole exchange including the body. */
  timeoutMs?: number;
  /**
   * Redirects are never followed unless this is true (never for metadata and key sets). A hop to another
   * origin drops every credential header and refuses a 307/308 that would resend the body there.
   */
  followRedirects?: boolean;
  /** Headers of this request that authenticate (e.g. `x-api-key`): dropped, too, on a cross-origin redirect. */
  credentialHeaders?: readonly string[];
  /**
   * Called before each retry for headers and body built afresh: one-time values (a DPoP proof's `jti`, a
   * client assertion's `jti`) must not be sent twice, or a server that recorded them refuses the retry.
   */
  beforeRetry?: () => Promise<Pick<HttpRequest, 'headers' | 'body'>>;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  /** Lower-case header names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  body: Buffer;
  /** The final URL (differs from the request only when redirects were followed). */
  url: string;
}

export interface HttpClient {
  /**
   * Sends a request and reads the whole body (bounded). Resolves with any HTTP status that is not retried
   * away; rejects with `HttpError` on timeout, network failure, a body over the cap, or when retries run out
   * on a retryable status (`http_status`, carrying `status` and `retryAfter`).
   */
  request(request: HttpRequest): Promise<HttpResponse>;
  /** The undici dispatcher the client sends through (for composing interceptors). */
  readonly dispatcher: Dispatcher;
  /**
   * The RFC 8705 thumbprint (`x5t#S256`) of the client certificate this client presents in TLS handshakes;
   * undefined when it presents none. A wrapper around another client must pass it on: `tls_client_auth`
   * requests and `mtls_endpoint_aliases` depend on it.
   */
  readonly clientCertificateThumbprint?: string;
  /** Releases connections. Idempotent. */
  close(): Promise<void>;
}

export interface HttpClientOptions {
  /** Whole-exchange timeout in ms. Default: `HTTP_TIMEOUT` (seconds) or 30 s. */
  timeoutMs?: number;
  /** Retries after the first attempt. Default: `HTTP_RETRY_COUNT` or 3. */
  retryCount?: number;
  /** Base delay for exponential backoff with jitter, ms. Default: `HTTP_RETRY_BASE_DELAY` (seconds) or 1 s. */
  retryBaseDelayMs?: number;
  /** Longest wait honoured from `Retry-After` or backoff, ms. Default 120 s. */
  maxRetryDelayMs?: number;
  /** Default response size cap in bytes. Default 1 MiB. */
  maxBodyBytes?: number;
  /** PEM CA bundle (contents or path). Default: `SSL_CERT_FILE`, `REQUESTS_CA_BUNDLE`, `CURL_CA_BUNDLE`. */
  ca?: string | Buffer;
  /**
   * A certificate and key presented to every TLS server that asks (mutual TLS, RFC 8705): needed by
   * `tls_client_auth` / `self_signed_tls_client_auth` and for certificate-bound tokens. Checked when the
   * client is built. Not combinable with `dispatcher` (give the certificate to your own dispatcher instead).
   */
  clientCertificate?: ClientCertificate;
  /** Proxy URL. Default: `HTTPS_PROXY` / `HTTP_PROXY` with `NO_PROXY`. `false` disables. */
  proxy?: string | false;
  /** Use this dispatcher instead of creating one (the client will not close it). */
  dispatcher?: Dispatcher;
  /** Defaults to `process.env`; injectable for tests. */
  env?: Record<string, string | undefined>;
  logger?: Logger;
  /** User-Agent header. */
  userAgent?: string;
  /** Most redirects a request with `followRedirects` follows (0 to 20, default 5). */
  maxRedirects?: number;
  /**
   * Header names that authenticate, dropped on a redirect to another origin along with `Authorization`,
   * `Proxy-Authorization`, `Cookie` and `DPoP` (always dropped).
   */
  credentialHeaders?: readonly string[];
}
