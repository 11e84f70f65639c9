import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { describe, test } from 'node:test';
import { decodeCanonicalBase64url } from '../../src/validation/base64url.js';

/** The definition: canonical strings are exactly what Node's encoder writes for the bytes they decode to. */
function reference(input: string, start: number, end: number): Buffer | undefined {
  const segment = input.slice(start, end);
  const bytes = Buffer.from(segment, 'base64url');
  return bytes.toString('base64url') === segment ? bytes : undefined;
}

/**
 * The alphabet, then what Node's decoder skips, stops at or reads otherwise: the standard alphabet's `+` and `/`,
 * padding, whitespace, a JWS dot, Latin-1 letters, and two-byte characters whose low byte is a base64url
 * character (U+0141 reads as `A`, U+012D as `-`), a lone surrogate and U+2028.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const FOREIGN = [
  '+',
  '/',
  '=',
  ' ',
  '\t',
  '\n',
  '.',
  '\u00e9',
  '\u00ff',
  '\u0141',
  '\u012d',
  '\u015f',
  '\ud83d',
  '\u2028',
  '\0',
];

/** A fixed LCG, so every run checks the same strings. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function same(actual: Buffer | undefined, expected: Buffer | undefined, input: string): void {
  assert.equal(
    actual === undefined,
    expected === undefined,
    `${JSON.stringify(input)}: accepted differently`,
  );
  if (actual !== undefined) assert.deepEqual(actual, expected, JSON.stringify(input));
}

describe('canonical base64url', () => {
  test('accepts exactly the strings Node encodes, for every byte length 0 to 40', () => {
    const next = random(7);
    for (let n = 0; n <= 40; n++) {
      const bytes = Buffer.from(Array.from({ length: n }, () => Math.floor(next() * 256)));
      const text = bytes.toString('base64url');
      assert.deepEqual(decodeCanonicalBase64url(text, 0, text.length), bytes);
      assert.deepEqual(decodeCanonicalBase64url(`x.${text}.y`, 2, 2 + text.length), bytes);
    }
  });

  test('refuses padding, a length of 4n+1, and unused bits set in the last character', () => {
    for (const bad of ['QQ==', 'QUI=', 'QUJDR', 'QR', 'QUF', 'QUJDRB', 'QUJDRE']) {
      assert.equal(decodeCanonicalBase64url(bad, 0, bad.length), undefined, bad);
    }
    assert.deepEqual(decodeCanonicalBase64url('QQ', 0, 2), Buffer.from('A'));
    assert.deepEqual(decodeCanonicalBase64url('QUI', 0, 3), Buffer.from('AB'));
  });

  test('refuses the standard alphabet and two-byte characters Node would read by their low byte', () => {
    for (const bad of ['QUJ+', 'QUJ/', 'Q\u0155JD', 'QUJ\u0141', 'QU\u012dD', 'QUJD\u0100']) {
      assert.equal(Buffer.from(bad, 'base64url').length, 3, `Node decodes ${JSON.stringify(bad)} to 3 bytes`);
      assert.equal(decodeCanonicalBase64url(bad, 0, bad.length), undefined, JSON.stringify(bad));
    }
  });

  test('decides as encoding again and comparing does, for 60,000 strings with foreign characters', () => {
    const next = random(20261203);
    for (let i = 0; i < 60_000; i++) {
      const length = Math.floor(next() * 14);
      let text = '';
      for (let j = 0; j < length; j++) {
        text +=
          next() < 0.85 ? ALPHABET[Math.floor(next() * 64)] : FOREIGN[Math.floor(next() * FOREIGN.length)];
      }
      same(decodeCanonicalBase64url(text, 0, text.length), reference(text, 0, text.length), text);
      const start = Math.floor(next() * (length + 1));
      const end = start + Math.floor(next() * (length - start + 1));
      same(decodeCanonicalBase64url(text, start, end), reference(text, start, end), text.slice(start, end));
    }
  });

  test('decides as encoding again and comparing does, for every string of length 2 and 3 over a mixed alphabet', () => {
    const chars = [...'AQgw_-9zPk', ...FOREIGN];
    for (const a of chars)
      for (const b of chars) {
        same(decodeCanonicalBase64url(a + b, 0, 2), reference(a + b, 0, 2), a + b);
        for (const c of chars)
          same(decodeCanonicalBase64url(a + b + c, 0, 3), reference(a + b + c, 0, 3), a + b + c);
      }
  });
});
