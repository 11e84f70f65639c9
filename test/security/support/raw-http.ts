/**
 * HTTP/1.1 over a bare socket, so a test can send what `fetch` refuses to: repeated `Authorization`
 * headers, raw UTF-8 or Latin-1 bytes in a header, odd whitespace. Bounded by a timeout: a hang fails.
 */
import { connect } from 'node:net';

export interface RawRequest {
  method?: string;
  path?: string;
  /** Header lines in order; a Buffer value is written byte for byte. */
  headers?: [string, string | Buffer][];
  body?: string;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  json: Record<string, unknown> | undefined;
  ms: number;
}

export class HangError extends Error {}

function decodeChunked(buf: Buffer): Buffer {
  const out: Buffer[] = [];
  let i = 0;
  while (i < buf.length) {
    const eol = buf.indexOf('\r\n', i);
    if (eol < 0) break;
    const size = Number.parseInt(buf.subarray(i, eol).toString('latin1'), 16);
    if (!size) break;
    out.push(buf.subarray(eol + 2, eol + 2 + size));
    i = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

export function rawRequest(port: number, req: RawRequest, timeoutMs = 5000): Promise<RawResponse> {
  const started = Date.now();
  const lines: Buffer[] = [
    Buffer.from(
      `${req.method ?? 'GET'} ${req.path ?? '/'} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nconnection: close\r\n`,
    ),
  ];
  for (const [name, value] of req.headers ?? []) {
    lines.push(
      Buffer.from(`${name}: `),
      Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8'),
      Buffer.from('\r\n'),
    );
  }
  if (req.body !== undefined) lines.push(Buffer.from(`content-length: ${Buffer.byteLength(req.body)}\r\n`));
  lines.push(Buffer.from('\r\n'));
  if (req.body !== undefined) lines.push(Buffer.from(req.body));
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new HangError(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', (err) => {
      // A server may answer and reset before reading the whole request (431): keep what arrived.
      if (chunks.length === 0) {
        clearTimeout(timer);
        reject(err);
      }
    });
    socket.on('close', () => {
      clearTimeout(timer);
      const all = Buffer.concat(chunks);
      const headEnd = all.indexOf('\r\n\r\n');
      if (headEnd < 0) {
        reject(new Error(`incomplete response (${all.length} bytes)`));
        return;
      }
      const [statusLine, ...headerLines] = all.subarray(0, headEnd).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
      }
      let bodyBuf: Buffer = all.subarray(headEnd + 4);
      if (headers['transfer-encoding']?.includes('chunked')) bodyBuf = decodeChunked(bodyBuf);
      const body = bodyBuf.toString('utf8');
      let parsed: Record<string, unknown> | undefined;
      try {
        parsed = JSON.parse(body) as Record<string, unknown>;
      } catch {
        parsed = undefined;
      }
      resolve({
        status: Number((statusLine ?? '').split(' ')[1]),
        headers,
        body,
        json: parsed,
        ms: Date.now() - started,
      });
    });
    socket.write(Buffer.concat(lines));
  });
}
