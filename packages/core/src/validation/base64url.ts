import { Buffer } from 'node:buffer';

/**
 * `input[start, end)` decoded, when it is canonical unpadded base64url; `undefined` otherwise. Canonical: only
 * the alphabet, no padding, no whitespace, a length that encodes whole bytes and zero unused bits in the last
 * character, so one byte string has exactly one encoding. Those are exactly the strings Node's encoder writes,
 * so the test is that encoding the bytes again gives the segment back (Node's decoder silently skips anything
 * it does not understand, which the comparison then catches). Three native passes (decode, encode, compare):
 * ~2,600 instructions for a 300-character segment where the alphabet regex took ~4,800 on top of the decode.
 */
export function decodeCanonicalBase64url(input: string, start: number, end: number): Buffer | undefined {
  const segment = start === 0 && end === input.length ? input : input.slice(start, end);
  const bytes = Buffer.from(segment, 'base64url');
  return bytes.toString('base64url') === segment ? bytes : undefined;
}
