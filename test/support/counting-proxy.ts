/**
 * A counting reverse proxy on 127.0.0.1 (ephemeral port) in front of a provider that runs as a child
 * process. The proxy's port is the one the provider advertises (its issuer and endpoints), so every request
 * a client makes passes here and is counted by endpoint. `close()` then `listen()` reopens the same port.
 * Headers go through as received (raw, duplicates kept), so a provider's quirks reach the client unchanged.
 */
import { createServer, request as forward, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type EndpointName =
  | 'discovery'
  | 'jwks'
  | 'token'
  | 'introspection'
  | 'revocation'
  | 'userinfo'
  | 'deviceAuthorization'
  | 'par'
  | 'registration'
  | 'other';

export type ProviderCounts = Record<EndpointName, number>;

export interface CountingProxy {
  readonly port: number;
  /** `http://127.0.0.1:PORT`. */
  readonly origin: string;
  readonly counts: ProviderCounts;
  resetCounts(): void;
  /** Where requests go; set once the provider listens (it may change on a provider restart). */
  upstreamPort: number;
  readonly listening: boolean;
  listen(): Promise<void>;
  close(): Promise<void>;
}

function zeroCounts(): ProviderCounts {
  return {
    discovery: 0,
    jwks: 0,
    token: 0,
    introspection: 0,
    revocation: 0,
    userinfo: 0,
    deviceAuthorization: 0,
    par: 0,
    registration: 0,
    other: 0,
  };
}

/** `classify` maps a request path (no query) to the endpoint it counts as. */
export async function startCountingProxy(classify: (path: string) => EndpointName): Promise<CountingProxy> {
  const counts = zeroCounts();
  const state = { upstreamPort: 0 };
  const server: Server = createServer((req, res) => {
    counts[classify((req.url ?? '/').split('?')[0] ?? '/')]++;
    const upstream = forward(
      {
        host: '127.0.0.1',
        port: state.upstreamPort,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.rawHeaders);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      // The provider is down while the proxy is up (between a crash and a restart): a gateway error.
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('counting proxy: provider unreachable');
    });
    req.pipe(upstream);
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    counts,
    resetCounts() {
      Object.assign(counts, zeroCounts());
    },
    get upstreamPort() {
      return state.upstreamPort;
    },
    set upstreamPort(value: number) {
      state.upstreamPort = value;
    },
    get listening() {
      return server.listening;
    },
    async listen() {
      if (server.listening) return;
      await new Promise<void>((resolve, reject) => {
        const onError = (error: Error) =>
          reject(new Error(`cannot listen again on 127.0.0.1:${port}: ${error.message}`));
        server.once('error', onError);
        server.listen(port, '127.0.0.1', () => {
          server.off('error', onError);
          resolve();
        });
      });
    },
    async close() {
      if (!server.listening) return;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
