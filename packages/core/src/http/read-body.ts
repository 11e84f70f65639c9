import type { Readable } from 'node:stream';

/** Thrown inside an attempt when a body passes the cap; turned into `HttpError('http_body_too_large')`. */
export class BodyTooLargeSignal extends Error {
  constructor(readonly limit: number) {
    super(`response body exceeds ${limit} bytes`);
  }
}

/**
 * Reads a body into one buffer, stopping (and destroying the stream, which frees the socket) as soon as
 * it passes `limit`, so an endless or huge body never sits in memory.
 */
export async function readBounded(body: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of body) {
      const buffer = chunk as Buffer;
      total += buffer.length;
      if (total > limit) throw new BodyTooLargeSignal(limit);
      chunks.push(buffer);
    }
  } catch (error) {
    body.destroy();
    throw error;
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
}
