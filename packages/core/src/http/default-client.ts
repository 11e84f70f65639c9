import { createHttpClient } from './http-client.js';
import type { HttpClient } from './types.js';

let shared: HttpClient | undefined;

/**
 * The process-wide client the free functions (`getDiscoveryDocument`, `getJwks`, …) use when none is
 * passed: one dispatcher per process, configured from the environment the first time it is needed.
 */
export function getDefaultHttpClient(): HttpClient {
  shared ??= createHttpClient();
  return shared;
}

/** Closes the shared client (for orderly shutdown and tests); the next `getDefaultHttpClient()` makes a new one. */
export async function closeDefaultHttpClient(): Promise<void> {
  const client = shared;
  shared = undefined;
  await client?.close();
}
