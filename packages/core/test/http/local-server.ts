/**
 * A real HTTP(S) server on 127.0.0.1 (ephemeral port) for producing faults a real provider can't produce
 * on demand: hangs, 429 storms, truncated or oversized bodies. Counts requests so caching and single
 * flight can be proven at the server.
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export type Handler = (req: IncomingMessage, res: ServerResponse, count: number) => void | Promise<void>;

export interface LocalServer {
  /** `http://127.0.0.1:PORT` (or https). */
  url: string;
  /** Requests received so far. */
  readonly count: number;
  /** Bodies of the requests received, in order. */
  readonly bodies: string[];
  resetCount(): void;
  close(): Promise<void>;
}

export async function startServer(
  handler: Handler,
  tls?: { key: string | Buffer; cert: string | Buffer },
): Promise<LocalServer> {
  let count = 0;
  const bodies: string[] = [];
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    count++;
    const n = count;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString());
      Promise.resolve(handler(req, res, n)).catch((error: unknown) => {
        res.destroy(error as Error);
      });
    });
  };
  const server = tls ? createHttpsServer(tls, listener) : createHttpServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    get count() {
      return count;
    },
    bodies,
    resetCount() {
      count = 0;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port nothing listens on (bound, then released). */
export async function freePort(): Promise<number> {
  const server = createHttpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(text);
}
