import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { describe, test } from 'node:test';
import { decodeProtectedHeader, EmbeddedJWK, jwtVerify } from 'jose';
import {
  ConfigurationError,
  computeAth,
  createDPoPProof,
  type DPoPAlgorithm,
  generateDPoPKey,
  jwkThumbprint,
} from '../../src/index.js';

// RFC 7638 §3.1: the example RSA key and its SHA-256 thumbprint.
const RFC7638_KEY = {
  kty: 'RSA',
  n:
    '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64t' +
    'Z_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOp' +
    'bISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
  e: 'AQAB',
  alg: 'RS256',
  kid: '2011-04-29',
};
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

function parts(jwt: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [header, claims] = jwt.split('.');
  return {
    header: JSON.parse(Buffer.from(header!, 'base64url').toString()) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(claims!, 'base64url').toString()) as Record<string, unknown>,
  };
}

describe('jwkThumbprint (RFC 7638)', () => {
  test('the RFC 7638 §3.1 example key has the thumbprint the RFC gives', () => {
    assert.equal(jwkThumbprint(RFC7638_KEY), 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  test('only the required members count: member order and extra members do not change it', () => {
    const reordered = { kid: 'other', e: RFC7638_KEY.e, use: 'sig', n: RFC7638_KEY.n, kty: 'RSA' };
    assert.equal(jwkThumbprint(reordered), jwkThumbprint(RFC7638_KEY));
  });

  test('a private EC key has the thumbprint of its public half', () => {
    const key = generateDPoPKey('ES256');
    const privateJwk = key.privateKey.export({ format: 'jwk' });
    assert.equal(jwkThumbprint(privateJwk), jwkThumbprint(key.publicJwk));
  });

  test('an unknown kty or a missing member is a ConfigurationError', () => {
    assert.throws(() => jwkThumbprint({ kty: 'XYZ' }), ConfigurationError);
    assert.throws(() => jwkThumbprint({ kty: 'EC', crv: 'P-256', x: 'abc' }), ConfigurationError);
    assert.throws(() => jwkThumbprint(null as unknown as Record<string, unknown>), ConfigurationError);
  });
});

describe('computeAth (RFC 9449 §4.2)', () => {
  test('the RFC 9449 §7.1 example access token hashes to the ath of its example proof', () => {
    assert.equal(
      computeAth('Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU'),
      'fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo',
    );
  });

  test('an empty access token is a ConfigurationError', () => {
    assert.throws(() => computeAth(''), ConfigurationError);
  });
});

describe('createDPoPProof (RFC 9449 §4.2)', () => {
  const algorithms: DPoPAlgorithm[] = ['ES256', 'ES384', 'ES512', 'RS256', 'PS256', 'EdDSA'];
  for (const alg of algorithms) {
    test(`a ${alg} proof verifies with the public key in its own header`, async () => {
      const key = generateDPoPKey(alg);
      const proof = await createDPoPProof({ key, htm: 'POST', htu: 'https://api.example/orders' });
      const { protectedHeader, payload } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt' });
      assert.equal(protectedHeader.alg, alg);
      assert.equal(payload.htm, 'POST');
      assert.equal(jwkThumbprint(protectedHeader.jwk!), jwkThumbprint(key.publicJwk));
    });
  }

  test('a proof header carries no private key member, even when the key object was tampered with', async () => {
    for (const alg of ['ES256', 'RS256', 'EdDSA'] as const) {
      const real = generateDPoPKey(alg);
      // A caller that put the private JWK where the public one belongs must still not leak it.
      const leaky = { ...real, publicJwk: real.privateKey.export({ format: 'jwk' }) };
      const header = decodeProtectedHeader(
        await createDPoPProof({ key: leaky, htm: 'GET', htu: 'https://a/' }),
      );
      for (const member of PRIVATE_MEMBERS) assert.ok(!(member in header.jwk!), `${alg} jwk has "${member}"`);
      assert.equal(
        jwkThumbprint(header.jwk!),
        jwkThumbprint(createPublicKey(real.privateKey).export({ format: 'jwk' })),
      );
    }
  });

  test('htu drops the query and fragment; ath, nonce, iat and jti are carried as given', async () => {
    const key = generateDPoPKey();
    const ath = computeAth('an-access-token');
    const proof = await createDPoPProof({
      key,
      htm: 'GET',
      htu: 'https://api.example/orders/7?expand=lines#top',
      ath,
      nonce: 'server-nonce',
      iat: 1_700_000_000,
      jti: 'proof-1',
    });
    const { header, claims } = parts(proof);
    assert.equal(header.typ, 'dpop+jwt');
    assert.deepEqual(claims, {
      jti: 'proof-1',
      htm: 'GET',
      htu: 'https://api.example/orders/7',
      iat: 1_700_000_000,
      ath,
      nonce: 'server-nonce',
    });
  });

  test('every proof gets a fresh jti, so a server replay cache never refuses a legitimate one', async () => {
    const key = generateDPoPKey();
    const a = parts(await createDPoPProof({ key, htm: 'GET', htu: 'https://a/' })).claims.jti;
    const b = parts(await createDPoPProof({ key, htm: 'GET', htu: 'https://a/' })).claims.jti;
    assert.equal(typeof a, 'string');
    assert.notEqual(a, b);
  });

  test('bad options are ConfigurationErrors that say what to change', async () => {
    const key = generateDPoPKey();
    const cases: [string, Parameters<typeof createDPoPProof>[0]][] = [
      ['htm', { key, htm: 'GET /x', htu: 'https://a/' }],
      ['htu', { key, htm: 'GET', htu: 'not a url' }],
      ['htu', { key, htm: 'GET', htu: 'ftp://a/' }],
      ['iat', { key, htm: 'GET', htu: 'https://a/', iat: -1 }],
      ['ath', { key, htm: 'GET', htu: 'https://a/', ath: '' }],
      ['alg', { key: { ...key, alg: 'HS256' as DPoPAlgorithm }, htm: 'GET', htu: 'https://a/' }],
      ['key.privateKey', { key: { ...key, privateKey: key.publicKey }, htm: 'GET', htu: 'https://a/' }],
      ['key', { key: { ...key, alg: 'RS256' }, htm: 'GET', htu: 'https://a/' }],
    ];
    for (const [name, options] of cases) {
      await assert.rejects(createDPoPProof(options), (err: unknown) => {
        assert.ok(err instanceof ConfigurationError, name);
        assert.ok(err.message.startsWith(`${name}:`), err.message);
        return true;
      });
    }
  });

  test('generateDPoPKey refuses a symmetric or unknown algorithm', () => {
    assert.throws(() => generateDPoPKey('HS256' as DPoPAlgorithm), ConfigurationError);
    assert.equal(generateDPoPKey().alg, 'ES256');
  });
});
