/**
 * What a test of hostile key-set or provider answers needs: a real HTTP client, real servers on 127.0.0.1
 * and validators against them, all closed after the file's tests.
 */
import { after } from 'node:test';
import { createHttpClient } from '../../src/http/index.js';
import { createTokenValidator, type TokenValidatorOptions } from '../../src/validation/index.js';
import type { TokenValidator } from '../../src/validation/types.js';
import { type Handler, type LocalServer, startServer } from '../http/local-server.js';
import { AUDIENCE, ISSUER } from '../validation/helpers.js';

export interface LoopbackProvider {
  http: ReturnType<typeof createHttpClient>;
  /** A server answering with `handler`, closed after the tests. */
  serve(handler: Handler): Promise<LocalServer>;
  /** Closes `resource` after the tests (before the servers and the client). */
  track<T extends { close(): Promise<void> }>(resource: T): T;
  /** A validator of ISSUER/AUDIENCE tokens whose keys come from `${server.url}/jwks`. */
  jwksValidator(server: LocalServer, options?: Partial<TokenValidatorOptions>): TokenValidator;
}

export function loopbackProvider(): LoopbackProvider {
  const http = createHttpClient({ env: {}, retryCount: 0, timeoutMs: 5_000 });
  const servers: LocalServer[] = [];
  const resources: { close(): Promise<void> }[] = [];
  after(async () => {
    await Promise.all(resources.map((r) => r.close()));
    await Promise.all([http.close(), ...servers.map((s) => s.close())]);
  });
  const track = <T extends { close(): Promise<void> }>(resource: T): T => {
    resources.push(resource);
    return resource;
  };
  return {
    http,
    track,
    async serve(handler) {
      const server = await startServer(handler);
      servers.push(server);
      return server;
    },
    jwksValidator(server, options = {}) {
      return track(
        createTokenValidator({
          issuer: ISSUER,
          audience: AUDIENCE,
          jwksUri: `${server.url}/jwks`,
          httpClient: http,
          ...options,
        }),
      );
    },
  };
}
