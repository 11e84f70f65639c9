import { ConfigurationError } from '../errors.js';
import {
  type AuthenticatedFetchOptions,
  createAuthenticatedFetch,
} from '../token-management/authenticated-fetch.js';
import { ClientCredentialsTokenManager } from '../token-management/client-credentials-token-manager.js';
import type { ClientCredentialsTokenManagerOptions } from '../token-management/manager-options.js';

/** Who the service is (client credentials) and where its token may be sent (`origins`). */
export interface ServiceTokenOptions
  extends ClientCredentialsTokenManagerOptions,
    AuthenticatedFetchOptions {}

/** A `fetch` that carries the service's client-credentials token to the configured origins only. */
export interface ServiceFetch {
  (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]): Promise<Response>;
  readonly manager: ClientCredentialsTokenManager;
  /** Stops the manager (timers, connections it owns). Idempotent. */
  close(): Promise<void>;
}

/** Builds the token manager and the fetch wrapper once; what each adapter's `serviceFetch` is made of. */
export function createServiceFetch(options: ServiceTokenOptions): ServiceFetch {
  if (options === null || typeof options !== 'object') {
    throw new ConfigurationError(
      'serviceFetch needs options: { issuer or tokenEndpoint, clientId, clientSecret, origins }',
    );
  }
  const { origins, fetch: fetchImpl, maxRedirects, ...managerOptions } = options;
  const manager = new ClientCredentialsTokenManager(managerOptions);
  let authenticated: typeof fetch;
  try {
    authenticated = createAuthenticatedFetch(manager, { origins, fetch: fetchImpl, maxRedirects });
  } catch (error) {
    void manager.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  const serviceFetch = (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) =>
    authenticated(input, init);
  return Object.assign(serviceFetch, {
    manager,
    close: () => {
      closing ??= manager.close();
      return closing;
    },
  });
}
