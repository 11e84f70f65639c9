import { OidcConstants } from '../constants/oidc-constants.js';
import { ConfigurationError } from '../errors.js';
import type { HttpClient } from '../http/types.js';

const Methods = OidcConstants.ClientAuthenticationMethods;
const MUTUAL_TLS: ReadonlySet<string> = new Set([Methods.TlsClientAuth, Methods.SelfSignedTlsClientAuth]);

/** True for the RFC 8705 §2 methods, where the client authenticates with its TLS certificate. */
export function isMutualTlsMethod(method: string): boolean {
  return MUTUAL_TLS.has(method);
}

/**
 * For a mutual-TLS method, what a request cannot know until it is sent: that the HTTP client presents a
 * certificate, and that the endpoint is https (no certificate is sent over plain http). Throws
 * `ConfigurationError` saying what to change.
 */
export function requireClientCertificate(
  method: string,
  httpClient: HttpClient | undefined,
  address?: string,
): void {
  if (httpClient?.clientCertificateThumbprint === undefined) {
    throw new ConfigurationError(
      `httpClient: ${method} authenticates with a TLS client certificate; send through createHttpClient({ clientCertificate: { cert, key } })`,
    );
  }
  if (address !== undefined && new URL(address).protocol !== 'https:') {
    throw new ConfigurationError(
      `address: ${method} needs an https endpoint (a client certificate is only presented over TLS)`,
    );
  }
}
