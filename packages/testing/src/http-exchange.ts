import type { IncomingMessage, ServerResponse } from 'node:http';

/** The largest request body read (bytes): token and introspection forms are tiny. */
const MAX_BODY_BYTES = 64 * 1024;
/** How much of a too-large body is read before the connection is dropped instead. */
const MAX_DRAINED_BYTES = 16 * 1024 * 1024;

/** An OAuth error answer (RFC 6749 §5.2 shape). */
export interface OAuthFailure {
  status: number;
  error: string;
  description: string;
  headers?: Record<string, string>;
}

export function sendJson(
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

export function sendFailure(res: ServerResponse, failure: OAuthFailure): void {
  sendJson(
    res,
    failure.status,
    { error: failure.error, error_description: failure.description },
    { 'cache-control': 'no-store', ...failure.headers },
  );
}

export function invalidRequest(description: string): OAuthFailure {
  return { status: 400, error: 'invalid_request', description };
}

/**
 * The `application/x-www-form-urlencoded` body of a POST, at most 64 KiB, each parameter at most once
 * (RFC 6749 §3.1), as a map; or the failure to answer.
 */
export async function readForm(req: IncomingMessage): Promise<Map<string, string> | OAuthFailure> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Past the limit the rest is read and dropped (up to a point), so the client gets the 413, not a reset.
    if (size > MAX_DRAINED_BYTES) break;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  if (size > MAX_BODY_BYTES) {
    return {
      status: 413,
      error: 'invalid_request',
      description: 'body too large',
      headers: { connection: 'close' },
    };
  }
  if (type !== 'application/x-www-form-urlencoded') {
    return invalidRequest('the body must be application/x-www-form-urlencoded');
  }
  const form = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(Buffer.concat(chunks).toString('utf8'))) {
    if (form.has(name)) return invalidRequest(`the ${name} parameter is repeated`);
    form.set(name, value);
  }
  return form;
}

export function isFailure(value: unknown): value is OAuthFailure {
  return typeof value === 'object' && value !== null && 'error' in value && 'status' in value;
}
