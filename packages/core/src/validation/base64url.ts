import { Buffer } from 'node:buffer';

/** A base64url character's six bits (0 for any other ASCII character). */
export const SIX_BITS = new Uint8Array(128);
for (const [i, c] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'].entries())
  SIX_BITS[c.charCodeAt(0)] = i;

/**
 * `input[start, end)` decoded, when it is canonical unpadded base64url; `undefined` otherwise. Canonical: only
 * the alphabet, no padding, no whitespace, a length that encodes whole bytes and zero unused bits in the last
 * character, so one byte string has exactly one encoding.
 *
 * Node's decoder skips (or stops at) any one-byte character outside base64 and base64url, so all of them
 * decode to as many bytes as the length encodes only when none was skipped. It also takes `+` and `/`, and
 * reads a two-byte character by its low byte (U+0141 as `A`), so those are refused first. This replaced
 * encoding the bytes again and comparing (the same strings pass, checked against it in the tests), and
 * saves its encoder pass, new string and comparison: ~6,000 estimated cycles per request (Fastify, payload and
 * signature of each distinct token).
 */
export function decodeCanonicalBase64url(input: string, start: number, end: number): Buffer | undefined {
  const length = end - start;
  const tail = length & 3;
  if (tail === 1) return undefined;
  const segment = start === 0 && end === input.length ? input : input.slice(start, end);
  // Anything outside ASCII makes the UTF-8 form longer.
  if (Buffer.byteLength(segment, 'utf8') !== length) return undefined;
  if (segment.indexOf('+') !== -1 || segment.indexOf('/') !== -1) return undefined;
  const bytes = Buffer.from(segment, 'base64url');
  if (bytes.length !== (length >> 2) * 3 + (tail === 0 ? 0 : tail - 1)) return undefined;
  // The last character's bits past the last whole byte: 4 of them after 2 characters, 2 after 3.
  if (tail !== 0 && (SIX_BITS[segment.charCodeAt(length - 1)]! & (tail === 2 ? 0x0f : 0x03)) !== 0)
    return undefined;
  return bytes;
}
