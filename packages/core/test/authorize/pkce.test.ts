import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { generateCodeChallenge, generateCodeVerifier, generatePkcePair } from '../../src/authorize/index.js';
import { ConfigurationError } from '../../src/errors.js';

describe('PKCE (RFC 7636)', () => {
  test('RFC 7636 Appendix B: the S256 challenge of the example verifier', () => {
    // The RFC's value (not "E9Melhoa2OwvFrEMTJguCHaoeJ1t64j3fh3-7Mn7dmw", a corrupted copy seen elsewhere).
    assert.equal(
      generateCodeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'),
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  test('plain only when asked for: the default method is S256', () => {
    const verifier = generateCodeVerifier();
    assert.notEqual(generateCodeChallenge(verifier), verifier);
    assert.equal(generateCodeChallenge(verifier, 'plain'), verifier);
    assert.equal(generatePkcePair().codeChallengeMethod, 'S256');
    const plain = generatePkcePair({ method: 'plain' });
    assert.equal(plain.codeChallenge, plain.codeVerifier);
  });

  test('verifiers: 43–128 unreserved characters, default 64, fresh every time', () => {
    for (const length of [43, 64, 128])
      assert.match(generateCodeVerifier(length), new RegExp(`^[A-Za-z0-9\\-._~]{${length}}$`));
    assert.equal(generateCodeVerifier().length, 64);
    const many = new Set(Array.from({ length: 200 }, () => generateCodeVerifier(43)));
    assert.equal(many.size, 200);
  });

  test('weak verifier: a length outside 43..128 is refused', () => {
    for (const length of [0, 42, 129, 64.5, Number.NaN]) {
      assert.throws(() => generateCodeVerifier(length), ConfigurationError);
    }
  });

  test('every unreserved character is used (no alphabet truncated by a biased draw)', () => {
    const seen = new Set(Array.from({ length: 100 }, () => generateCodeVerifier(128)).join(''));
    assert.equal(seen.size, 66);
  });

  test('a verifier outside the RFC alphabet or bounds cannot make a challenge', () => {
    for (const bad of ['short', 'a'.repeat(129), `${'a'.repeat(43)} `, `${'a'.repeat(43)}+`]) {
      assert.throws(() => generateCodeChallenge(bad), ConfigurationError);
    }
    assert.throws(() => generateCodeChallenge('a'.repeat(43), 'S512' as 'S256'), ConfigurationError);
  });

  test('the pair matches: challenge = BASE64URL(SHA256(verifier))', () => {
    const { codeVerifier, codeChallenge } = generatePkcePair();
    assert.equal(codeChallenge, createHash('sha256').update(codeVerifier).digest('base64url'));
  });
});
