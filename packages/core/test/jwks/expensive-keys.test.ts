/**
 * Expensive keys in a published key set: an RSA key with a ~3070-bit exponent or a 16384-bit modulus makes
 * every forged token that names it 60–100 times dearer to refuse. Such keys are left out of the set (listed
 * in `rejectedKeys`), so a token naming them is `key_not_found` before any signature work.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { ConfigurationError } from '../../src/errors.js';
import { MAX_RSA_BITS, MAX_RSA_EXPONENT_BITS } from '../../src/jwks/check-jwk.js';
import {
  checkJwk,
  getJwks,
  importJwk,
  type JsonWebKey,
  JwksRequest,
  LocalKeySet,
} from '../../src/jwks/index.js';
import { type LocalServer, sendJson } from '../http/local-server.js';
import { b64url, claims, ISSUER, rejectsWith, testKey, token } from '../validation/helpers.js';
import { loopbackProvider } from './loopback-provider.js';

const provider = loopbackProvider();

/** An unsigned integer of exactly `bits` bits, odd, as base64url (random: refusal happens before any use). */
function integer(bits: number): string {
  const bytes = randomBytes(Math.ceil(bits / 8));
  const topBits = bits % 8 || 8;
  bytes[0] = (bytes[0]! & ((1 << topBits) - 1)) | (1 << (topBits - 1));
  bytes[bytes.length - 1]! |= 1;
  return bytes.toString('base64url');
}

function rsaJwk(kid: string, n: string, e: string): JsonWebKey {
  return { kty: 'RSA', kid, use: 'sig', alg: 'RS256', n, e };
}

const ordinary = testKey('RS256', 'ordinary');
// 3072-bit modulus and 3070-bit exponent: OpenSSL would verify with it (e < n, n ≤ 3072 bits).
const hugeExponent = rsaJwk('huge-exponent', integer(3072), integer(3070));
const hugeModulus = rsaJwk('huge-modulus', integer(16384), 'AQAB');

/** A token naming `kid`, with a signature of the size an attacker would send for that key. */
function forged(kid: string, modulusBytes: number): string {
  const body = `${b64url({ alg: 'RS256', typ: 'at+jwt', kid })}.${b64url(claims())}`;
  const signature = randomBytes(modulusBytes);
  signature[0] = 1; // below any modulus of that size
  return `${body}.${signature.toString('base64url')}`;
}

const serveSet = (keys: unknown[]): Promise<LocalServer> =>
  provider.serve((_req, res) => sendJson(res, 200, { keys }));

describe('expensive RSA keys are refused from a key set', () => {
  test('the caps are documented: modulus at most 8192 bits, exponent at most 32 bits', () => {
    assert.equal(MAX_RSA_BITS, 8192);
    assert.equal(MAX_RSA_EXPONENT_BITS, 32);
  });

  for (const [name, jwk, reason] of [
    ['a 16384-bit modulus', hugeModulus, /16384 bits is longer than 8192/],
    ['an 8193-bit modulus', rsaJwk('m', integer(8193), 'AQAB'), /8193 bits is longer than 8192/],
    ['a 3070-bit exponent', hugeExponent, /exponent of 3070 bits is longer than 32/],
    ['a 33-bit exponent', rsaJwk('e33', integer(2048), integer(33)), /exponent of 33 bits/],
    ['exponent 1', rsaJwk('e1', integer(2048), 'AQ'), /odd number of at least 3/],
    ['an even exponent (65536)', rsaJwk('even', integer(2048), 'AQAA'), /odd number of at least 3/],
    ['exponent 0', rsaJwk('e0', integer(2048), 'AA'), /odd number of at least 3/],
  ] as const) {
    test(`${name} is refused`, () => {
      assert.match(checkJwk(jwk) ?? 'accepted', reason);
      assert.throws(() => importJwk(jwk), ConfigurationError);
      assert.throws(() => new LocalKeySet({ keys: [jwk] }), ConfigurationError);
    });
  }

  for (const [name, jwk] of [
    ['e = 65537', rsaJwk('f4', integer(2048), 'AQAB')],
    ['e = 3', rsaJwk('e3', integer(2048), 'Aw')],
    ['a 32-bit odd exponent', rsaJwk('e32', integer(2048), integer(32))],
    ['e = 65537 with a leading zero byte', rsaJwk('f4z', integer(2048), 'AAEAAQ')],
    ['an 8192-bit modulus', rsaJwk('m8192', integer(8192), 'AQAB')],
    ['a 4096-bit modulus', rsaJwk('m4096', integer(4096), 'AQAB')],
  ] as const) {
    test(`${name} is accepted`, () => {
      assert.equal(checkJwk(jwk), undefined);
    });
  }

  test('served in a set, both are left out and listed; the ordinary key is kept', async () => {
    const server = await serveSet([hugeExponent, ordinary.jwk, hugeModulus]);
    const response = await getJwks(new JwksRequest({ address: `${server.url}/jwks` }), provider.http);
    assert.equal(response.isSuccessful, true, response.error);
    assert.deepEqual(
      response.keys.map((k) => k.kid),
      ['ordinary'],
    );
    assert.deepEqual(
      response.rejectedKeys.map((r) => [r.index, r.kid]),
      [
        [0, 'huge-exponent'],
        [2, 'huge-modulus'],
      ],
    );
  });

  test('forged tokens naming them are key_not_found, never verified; the ordinary key still works', async () => {
    const server = await serveSet([hugeExponent, ordinary.jwk, hugeModulus]);
    const validator = provider.jwksValidator(server);
    const good = await validator.validate(token(ordinary));
    assert.equal(good.claims.iss, ISSUER);
    await rejectsWith(validator.validate(forged('huge-exponent', 384)), 'key_not_found');
    await rejectsWith(validator.validate(forged('huge-modulus', 2048)), 'key_not_found');
    // And a flood of them costs no refetch beyond the unknown-kid cooldown.
    const before = server.count;
    for (let i = 0; i < 20; i++) {
      await rejectsWith(validator.validate(forged('huge-exponent', 384)), 'key_not_found');
    }
    assert.equal(server.count, before);
  });
});
