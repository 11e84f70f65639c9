import {
  DiscoveryDocumentRequest,
  DiscoveryPolicy,
  type DiscoveryPolicyOptions,
  getDiscoveryDocument,
} from '../discovery/index.js';
import { TokenManagementError } from '../errors.js';
import { getDefaultHttpClient } from '../http/index.js';
import type { HttpClient } from '../http/types.js';

/**
 * The token endpoint named by an issuer's discovery document, validated under the discovery policy (issuer
 * match, https except on loopback, endpoints on the issuer's origin). A key set is not required: a client
 * only needs the token endpoint. With `mtls` (the client authenticates with, or presents, a TLS certificate)
 * the `mtls_endpoint_aliases.token_endpoint` wins when the document has one (RFC 8705 §5).
 */
export async function resolveTokenEndpoint(
  issuer: string,
  policy: DiscoveryPolicy | DiscoveryPolicyOptions | undefined,
  httpClient: HttpClient | undefined,
  signal: AbortSignal,
  mtls = false,
): Promise<string> {
  const request = new DiscoveryDocumentRequest({
    address: issuer,
    policy: policy instanceof DiscoveryPolicy ? policy : { requireKeySet: false, ...policy },
    signal,
  });
  const response = await getDiscoveryDocument(request, httpClient ?? getDefaultHttpClient());
  const named = mtls ? response.mtlsEndpointAliases?.token_endpoint : undefined;
  const alias = typeof named === 'string' && named !== '' ? named : undefined;
  const endpoint = response.isSuccessful ? (alias ?? response.tokenEndpoint) : undefined;
  if (endpoint === undefined) {
    const why = response.isSuccessful ? 'it names no token_endpoint' : (response.error ?? 'unknown error');
    throw new TokenManagementError(
      'discovery_failed',
      `could not read the token endpoint from discovery: ${why}`,
      {
        cause: response.cause,
        httpStatus: response.httpStatus,
      },
    );
  }
  return endpoint;
}
