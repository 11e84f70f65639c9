import { readFileSync } from 'node:fs';
import { ConfigurationError } from '../errors.js';
import { type ResolvedClientCertificate, resolveClientCertificate } from '../mtls/client-certificate.js';
import type { HttpClientOptions } from './types.js';

/** Every setting of a client, resolved once from options, then the environment, then defaults. */
export interface ResolvedHttpConfig {
  timeoutMs: number;
  retryCount: number;
  retryBaseDelayMs: number;
  maxRetryDelayMs: number;
  maxBodyBytes: number;
  /** PEM bundle that replaces the default roots (as `requests` / curl do), or undefined. */
  ca: string | Buffer | undefined;
  /** Presented in TLS handshakes (mutual TLS), or undefined. */
  clientCertificate: ResolvedClientCertificate | undefined;
  httpProxy: string | undefined;
  httpsProxy: string | undefined;
  noProxy: string;
  userAgent: string;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_RETRY_COUNT = 3;
export const DEFAULT_RETRY_BASE_DELAY_MS = 1_000;
export const DEFAULT_MAX_RETRY_DELAY_MS = 120_000;
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const DEFAULT_USER_AGENT = 'identity-model-node';

/** The seed's order: the first variable set wins. */
const CA_VARIABLES = ['SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE'] as const;

type Env = Record<string, string | undefined>;

function envValue(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function parseEnvNumber(env: Env, name: string, integer: boolean, allowZero: boolean): number | undefined {
  const raw = envValue(env, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  const ok =
    /^[0-9]*\.?[0-9]+$/.test(raw) &&
    Number.isFinite(value) &&
    (!integer || Number.isInteger(value)) &&
    (allowZero ? value >= 0 : value > 0);
  if (!ok) {
    const kind = integer ? 'a whole number' : 'a number of seconds';
    throw new ConfigurationError(
      `${name} must be ${kind}${allowZero ? ' (0 or more)' : ' greater than 0'}, got "${raw}"`,
    );
  }
  return value;
}

function checkOption(name: string, value: number | undefined, integer: boolean, allowZero: boolean): void {
  if (value === undefined) return;
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!integer || Number.isInteger(value)) &&
    (allowZero ? value >= 0 : value > 0);
  if (!ok) {
    throw new ConfigurationError(
      `HttpClientOptions.${name} must be ${integer ? 'a whole number' : 'a finite number'}${
        allowZero ? ' (0 or more)' : ' greater than 0'
      }, got ${String(value)}`,
    );
  }
}

function readCa(source: string, from: string): string | Buffer {
  if (source.includes('-----BEGIN')) return source;
  try {
    return readFileSync(source);
  } catch (cause) {
    throw new ConfigurationError(`${from} names a CA bundle that cannot be read: ${source}`, { cause });
  }
}

function resolveCa(options: HttpClientOptions, env: Env): string | Buffer | undefined {
  if (options.ca !== undefined) {
    return typeof options.ca === 'string' ? readCa(options.ca, 'HttpClientOptions.ca') : options.ca;
  }
  for (const name of CA_VARIABLES) {
    const path = envValue(env, name);
    if (path !== undefined) return readCa(path, name);
  }
  return undefined;
}

function checkProxyUrl(value: string, from: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new ConfigurationError(`${from} is not a URL`, { cause });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigurationError(`${from} must be an http:// or https:// URL, got ${url.protocol}`);
  }
  return value;
}

function proxyFromEnv(env: Env, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = envValue(env, name);
    if (value !== undefined) return checkProxyUrl(value, name);
  }
  return undefined;
}

/** Reads the environment once; throws `ConfigurationError` naming the option or variable at fault. */
export function resolveHttpConfig(options: HttpClientOptions): ResolvedHttpConfig {
  const env = options.env ?? process.env;
  checkOption('timeoutMs', options.timeoutMs, false, false);
  checkOption('retryCount', options.retryCount, true, true);
  checkOption('retryBaseDelayMs', options.retryBaseDelayMs, false, true);
  checkOption('maxRetryDelayMs', options.maxRetryDelayMs, false, true);
  checkOption('maxBodyBytes', options.maxBodyBytes, true, false);
  if (options.clientCertificate !== undefined && options.dispatcher !== undefined) {
    throw new ConfigurationError(
      'HttpClientOptions.clientCertificate: cannot be applied to a dispatcher you pass; give the certificate to that dispatcher, or leave dispatcher out',
    );
  }

  // A variable is read only when no option overrides it: explicit options win, even over a broken variable.
  const envTimeout =
    options.timeoutMs === undefined ? parseEnvNumber(env, 'HTTP_TIMEOUT', false, false) : undefined;
  const envRetryCount =
    options.retryCount === undefined ? parseEnvNumber(env, 'HTTP_RETRY_COUNT', true, true) : undefined;
  const envBaseDelay =
    options.retryBaseDelayMs === undefined
      ? parseEnvNumber(env, 'HTTP_RETRY_BASE_DELAY', false, true)
      : undefined;

  let httpProxy: string | undefined;
  let httpsProxy: string | undefined;
  if (typeof options.proxy === 'string') {
    httpProxy = httpsProxy = checkProxyUrl(options.proxy, 'HttpClientOptions.proxy');
  } else if (options.proxy !== false) {
    httpProxy = proxyFromEnv(env, ['http_proxy', 'HTTP_PROXY']);
    httpsProxy = proxyFromEnv(env, ['https_proxy', 'HTTPS_PROXY']) ?? httpProxy;
  }

  return {
    timeoutMs: options.timeoutMs ?? (envTimeout === undefined ? DEFAULT_TIMEOUT_MS : envTimeout * 1000),
    retryCount: options.retryCount ?? envRetryCount ?? DEFAULT_RETRY_COUNT,
    retryBaseDelayMs:
      options.retryBaseDelayMs ??
      (envBaseDelay === undefined ? DEFAULT_RETRY_BASE_DELAY_MS : envBaseDelay * 1000),
    maxRetryDelayMs: options.maxRetryDelayMs ?? DEFAULT_MAX_RETRY_DELAY_MS,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    ca: resolveCa(options, env),
    clientCertificate:
      options.clientCertificate === undefined
        ? undefined
        : resolveClientCertificate(options.clientCertificate, 'HttpClientOptions.clientCertificate'),
    httpProxy,
    httpsProxy,
    noProxy: envValue(env, 'no_proxy') ?? envValue(env, 'NO_PROXY') ?? '',
    userAgent: options.userAgent ?? DEFAULT_USER_AGENT,
  };
}
