import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, type Dispatcher, EnvHttpProxyAgent } from 'undici';
import { ConfigurationError, HttpError } from '../errors.js';
import { type Logger, silentLogger } from '../logger.js';
import { type ResolvedHttpConfig, resolveHttpConfig } from './config.js';
import { describeUrl as describe } from './describe-url.js';
import { BodyTooLargeSignal, readBounded } from './read-body.js';
import { droppedFor, nextHop, REDIRECT_STATUSES, resolveRedirectPolicy } from './redirect.js';
import { backoffDelay, isRetryableNetworkError, isRetryableStatus, parseRetryAfter } from './retry.js';
import type {
  HttpClient,
  HttpClientOptions,
  HttpMethod,
  HttpRequest,
  HttpResponse,
  RetryMode,
} from './types.js';

/** The abort reason we use for our own timer, told apart from a caller's signal. */
const TIMEOUT_REASON = Symbol('http-timeout');

/** TLS options for connections to servers: the CA bundle and the client certificate, when set. */
function tlsOptions(config: ResolvedHttpConfig): Record<string, string | Buffer> | undefined {
  const tls: Record<string, string | Buffer> = {};
  if (config.ca !== undefined) tls.ca = config.ca;
  const client = config.clientCertificate;
  if (client !== undefined) {
    tls.cert = client.cert;
    tls.key = client.key;
    if (client.passphrase !== undefined) tls.passphrase = client.passphrase;
  }
  return Object.keys(tls).length === 0 ? undefined : tls;
}

function buildDispatcher(config: ResolvedHttpConfig): Dispatcher {
  // Through a proxy, `requestTls` carries the CA and the client certificate to the origin inside the tunnel.
  const connect = tlsOptions(config);
  if (config.httpProxy !== undefined || config.httpsProxy !== undefined) {
    // Explicit empty strings keep undici from reading process.env itself: we read the environment once.
    return new EnvHttpProxyAgent({
      httpProxy: config.httpProxy ?? '',
      httpsProxy: config.httpsProxy ?? '',
      noProxy: config.noProxy,
      ...(connect ? { connect, requestTls: connect } : {}),
    } as EnvHttpProxyAgent.Options);
  }
  return new Agent(connect ? { connect } : {});
}

function toUrl(value: string | URL): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new ConfigurationError('request URL is not a valid absolute URL', { cause });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigurationError(`request URL must be http or https, got ${url.protocol}`);
  }
  return url;
}

function normaliseHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

interface PreparedRequest {
  method: HttpMethod;
  headers: Record<string, string>;
  body: string | undefined;
}

function prepare(request: HttpRequest, userAgent: string): PreparedRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
  headers['user-agent'] ??= userAgent;
  let body: string | undefined;
  if (request.body instanceof URLSearchParams) {
    body = request.body.toString();
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
  } else {
    body = request.body;
  }
  return { method: request.method ?? (body === undefined ? 'GET' : 'POST'), headers, body };
}

/**
 * Creates a client with its own undici dispatcher (connections reused across requests). Settings come from
 * `options`, then the environment (`HTTP_TIMEOUT`, `HTTP_RETRY_COUNT`, `HTTP_RETRY_BASE_DELAY`, CA and
 * proxy variables), read once here; invalid values throw `ConfigurationError` naming the culprit.
 *
 * Redirects are not followed unless a request asks: a 3xx is then returned as it is, and callers that
 * fetch metadata or key sets treat it as an error. Timeouts, aborts and oversize bodies are never retried.
 */
export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const config = resolveHttpConfig(options);
  const redirects = resolveRedirectPolicy(options);
  const logger: Logger = options.logger ?? silentLogger;
  const ownsDispatcher = options.dispatcher === undefined;
  const dispatcher = options.dispatcher ?? buildDispatcher(config);
  let closed = false;

  async function once(
    url: URL,
    prepared: PreparedRequest,
    timeoutMs: number,
    maxBodyBytes: number,
    signal: AbortSignal | undefined,
  ): Promise<HttpResponse> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(TIMEOUT_REASON), timeoutMs);
    const onAbort = (): void => controller.abort(signal?.reason);
    if (signal?.aborted) controller.abort(signal.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const response = await dispatcher.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: prepared.method,
        headers: prepared.headers,
        body: prepared.body,
        signal: controller.signal,
      });
      const headers = normaliseHeaders(response.headers);
      const declared = Number(headers['content-length']);
      if (Number.isFinite(declared) && declared > maxBodyBytes) {
        response.body.destroy();
        throw new BodyTooLargeSignal(maxBodyBytes);
      }
      const body = await readBounded(response.body, maxBodyBytes);
      return { status: response.statusCode, headers, body, url: url.href };
    } catch (error) {
      const where = describe(url);
      if (error instanceof BodyTooLargeSignal) {
        throw new HttpError(`response from ${where} is larger than ${maxBodyBytes} bytes`, {
          code: 'http_body_too_large',
          cause: error,
        });
      }
      if (controller.signal.aborted && controller.signal.reason === TIMEOUT_REASON) {
        throw new HttpError(`${prepared.method} ${where} timed out after ${timeoutMs} ms`, {
          code: 'http_timeout',
          cause: error,
        });
      }
      if (signal?.aborted) {
        throw new HttpError(`${prepared.method} ${where} was aborted`, {
          code: 'http_aborted',
          cause: error,
        });
      }
      throw new HttpError(`${prepared.method} ${where} failed: ${(error as Error).message}`, {
        code: 'http_network',
        cause: error,
      });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async function withRedirects(
    url: URL,
    prepared: PreparedRequest,
    request: HttpRequest,
    timeoutMs: number,
    maxBodyBytes: number,
    dropped: ReadonlySet<string>,
  ): Promise<HttpResponse> {
    let current = url;
    let currentRequest = prepared;
    for (let hop = 0; ; hop++) {
      const response = await once(current, currentRequest, timeoutMs, maxBodyBytes, request.signal);
      const location = response.headers.location;
      if (!request.followRedirects || !REDIRECT_STATUSES.has(response.status) || location === undefined) {
        return response;
      }
      if (hop >= redirects.maxRedirects) {
        throw new HttpError(`${describe(url)} redirected more than ${redirects.maxRedirects} times`, {
          code: 'http_redirect',
          status: response.status,
        });
      }
      const next = nextHop(response.status, location, current, currentRequest, dropped);
      current = next.url;
      currentRequest = next.request;
    }
  }

  async function request(request: HttpRequest): Promise<HttpResponse> {
    if (closed) throw new HttpError('the HTTP client is closed', { code: 'http_aborted' });
    const url = toUrl(request.url);
    let prepared = prepare(request, config.userAgent);
    const mode: RetryMode = request.retry ?? (prepared.method === 'GET' ? 'all' : 'none');
    const timeoutMs = request.timeoutMs ?? config.timeoutMs;
    const maxBodyBytes = request.maxBodyBytes ?? config.maxBodyBytes;
    const dropped = droppedFor(redirects, request.credentialHeaders);

    for (let attempt = 0; ; attempt++) {
      let failure: HttpError;
      let delayMs: number | undefined;
      try {
        const response = await withRedirects(url, prepared, request, timeoutMs, maxBodyBytes, dropped);
        if (!isRetryableStatus(mode, response.status)) return response;
        const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
        failure = new HttpError(`${prepared.method} ${describe(url)} answered ${response.status}`, {
          code: 'http_status',
          status: response.status,
          ...(retryAfterMs === undefined ? {} : { retryAfter: Math.ceil(retryAfterMs / 1000) }),
        });
        // A server asking for a longer pause than we are willing to wait gets no retry at all.
        if (retryAfterMs !== undefined && retryAfterMs > config.maxRetryDelayMs) throw failure;
        delayMs = retryAfterMs;
      } catch (error) {
        const retryable =
          error instanceof HttpError &&
          error.code === 'http_network' &&
          isRetryableNetworkError(mode, error.cause);
        if (!retryable) throw error;
        failure = error;
      }
      if (attempt >= config.retryCount) throw failure;
      delayMs ??= backoffDelay(attempt, config.retryBaseDelayMs, config.maxRetryDelayMs);
      logger.debug(
        { url: describe(url), attempt: attempt + 1, delayMs: Math.round(delayMs), reason: failure.message },
        'retrying HTTP request',
      );
      try {
        await sleep(delayMs, undefined, request.signal ? { signal: request.signal } : {});
      } catch (cause) {
        throw new HttpError(`${prepared.method} ${describe(url)} was aborted`, {
          code: 'http_aborted',
          cause,
        });
      }
      if (request.beforeRetry)
        prepared = prepare({ ...request, ...(await request.beforeRetry()) }, config.userAgent);
    }
  }

  return {
    request,
    dispatcher,
    ...(config.clientCertificate === undefined
      ? {}
      : { clientCertificateThumbprint: config.clientCertificate.thumbprint }),
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      if (ownsDispatcher) await dispatcher.close();
    },
  };
}
