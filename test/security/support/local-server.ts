/**
 * A real HTTP server on 127.0.0.1 (port 0) whose behaviour a test swaps at will, recording every request.
 * Used as the "canary" that `jku`/`x5u`/`iss` tricks would make us call, and as a broken provider.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  at: number;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, nth: number) => void | Promise<void>;

export interface LocalServer {
  url: string;
  origin: string;
  port: number;
  requests: RecordedRequest[];
  /** Requests whose path (no query) equals `path`. */
  count(path?: string): number;
  reset(): void;
  setHandler(handler: Handler): void;
  /** Stops listening (an outage), keeping the port for `restart()`. */
  stop(): Promise<void>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

export function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export async function startLocalServer(
  handler: Handler = (_q, res) => json(res, 404, {}),
): Promise<LocalServer> {
  let current = handler;
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, at: Date.now() });
    const nth = requests.length;
    Promise.resolve(current(req, res, nth)).catch((err: unknown) => {
      if (!res.headersSent) json(res, 500, { error: String(err) });
      else res.destroy();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.keepAliveTimeout = 500;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (!server.listening) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
  };
  return {
    url: origin,
    origin,
    port,
    requests,
    count(path) {
      if (path === undefined) return requests.length;
      return requests.filter((r) => r.url.split('?')[0] === path).length;
    },
    reset() {
      requests.length = 0;
    },
    setHandler(h) {
      current = h;
    },
    stop,
    async restart() {
      if (server.listening) return;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      });
    },
    close: stop,
  };
}
