import { createServiceFetch, type ServiceFetch, type ServiceTokenOptions } from '@identity-model/core';

export type { ServiceFetch, ServiceTokenOptions } from '@identity-model/core';

/**
 * A `fetch` for outgoing calls that carries the service's client-credentials token to `origins` only. Build
 * it once at start-up and `close()` it at shutdown.
 */
export function serviceFetch(options: ServiceTokenOptions): ServiceFetch {
  return createServiceFetch(options);
}
