import { TokenManagementError } from '../errors.js';
import { getDefaultHttpClient } from '../http/index.js';
import type { HttpClient } from '../http/types.js';

/**
 * The token endpoint named by an issuer's discovery document.
 * TODO(integration): switch to `getDiscoveryDocument` from `../discovery/` once it lands (policy + cache).
 */
export async function resolveTokenEndpoint(
  issuer: string,
  httpClient: HttpClient | undefined,
  signal: AbortSignal,
): Promise<string> {
  const base = issuer.endsWith('/') ? issuer.slice(0, -1) : issuer;
  try {
    const response = await (httpClient ?? getDefaultHttpClient()).request({
      url: `${base}/.well-known/openid-configuration`,
      method: 'GET',
      signal,
    });
    if (response.status !== 200) throw new Error(`discovery answered HTTP ${response.status}`);
    const doc = JSON.parse(response.body.toString('utf8')) as { issuer?: unknown; token_endpoint?: unknown };
    if (doc.issuer !== issuer) throw new Error('discovery document names another issuer');
    if (typeof doc.token_endpoint !== 'string') throw new Error('discovery document has no token_endpoint');
    const endpoint = new URL(doc.token_endpoint);
    if (endpoint.protocol !== 'https:' && !(endpoint.protocol === 'http:' && issuer.startsWith('http:'))) {
      throw new Error('token_endpoint must be https');
    }
    return endpoint.href;
  } catch (err) {
    throw new TokenManagementError('discovery_failed', `could not read the token endpoint from ${base}'s discovery`, {
      cause: err,
    });
  }
}
