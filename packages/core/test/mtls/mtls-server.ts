/**
 * A real HTTPS server on 127.0.0.1 that asks every client for a certificate (mutual TLS), verifies it
 * against `ca` unless told to let any through, and records what each request presented.
 */
import { X509Certificate } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { TestPki } from '../../../../test/support/certificates.js';

export interface SeenTlsRequest {
  path: string;
  headers: IncomingMessage['headers'];
  form: URLSearchParams;
  /** Subject of the client certificate presented (`CN=…`), or undefined. */
  peerSubject: string | undefined;
  /** DER of the client certificate presented, or undefined. */
  peerRaw: Buffer | undefined;
  /** Whether the TLS layer verified it against the CA. */
  authorized: boolean;
}

export interface MtlsServer {
  origin: string;
  requests: SeenTlsRequest[];
  close(): Promise<void>;
}

type Handler = (req: SeenTlsRequest, res: ServerResponse) => void;

export async function startMtlsServer(
  pki: TestPki,
  handler: Handler,
  options: { rejectUnauthorized?: boolean } = {},
): Promise<MtlsServer> {
  const requests: SeenTlsRequest[] = [];
  const server = createServer(
    {
      cert: pki.server.cert,
      key: pki.server.key,
      ca: pki.ca.cert,
      requestCert: true,
      rejectUnauthorized: options.rejectUnauthorized ?? true,
    },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const socket = req.socket as TLSSocket;
        const raw = socket.getPeerCertificate().raw;
        const seen: SeenTlsRequest = {
          path: req.url ?? '',
          headers: req.headers,
          form: new URLSearchParams(Buffer.concat(chunks).toString('utf8')),
          peerSubject: raw === undefined ? undefined : new X509Certificate(raw).subject,
          peerRaw: raw,
          authorized: socket.authorized,
        };
        requests.push(seen);
        handler(seen, res);
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `https://127.0.0.1:${port}`,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
