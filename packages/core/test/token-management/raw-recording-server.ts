/**
 * An "attacker" on 127.0.0.1 that records the raw bytes of every request head it receives, before any
 * HTTP parsing: a request line Node's parser would refuse (a backslash in the path) still shows whether an
 * `Authorization` header went out. Each request gets `200 ok` and the connection is closed.
 */

import type { AddressInfo } from 'node:net';
import { createServer, type Socket } from 'node:net';

export interface RawRecordingServer {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** `127.0.0.1:PORT` */
  host: string;
  /** Request heads received (request line and header lines), in arrival order. */
  heads: string[];
  /** Heads that carry an `Authorization` header. */
  authorizations(): string[];
  close(): Promise<void>;
}

const HEAD_END = '\r\n\r\n';

export async function startRawRecordingServer(): Promise<RawRecordingServer> {
  const heads: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffered = '';
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      const end = buffered.indexOf(HEAD_END);
      if (end < 0) return;
      heads.push(buffered.slice(0, end));
      buffered = '';
      socket.end(
        'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok',
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    heads,
    authorizations: () => heads.filter((h) => /\r\nauthorization\s*:/i.test(h)),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
