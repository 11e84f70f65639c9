import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeJwt, decodeProtectedHeader, EmbeddedJWK, jwtVerify } from 'jose';
import { DPoPClient } from '../../src/dpop/dpop-client.js';
import { NonceMemory, parseDPoPNonce } from '../../src/dpop/nonce-memory.js';
import { ConfigurationError, computeAth, generateDPoPKey, jwkThumbprint } from '../../src/index.js';

describe('DPoPClient', () => {
  test('a generated key is ES256 and the thumbprint names the key in every proof header', async () => {
    const client = new DPoPClient();
    assert.equal(client.key.alg, 'ES256');
    const proof = await client.proof('get', 'https://api.example/items?page=2#top', 'the-token');
    const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt' });
    assert.equal(jwkThumbprint(protectedHeader.jwk as Record<string, unknown>), client.thumbprint);
    assert.equal(payload.htm, 'GET');
    assert.equal(payload.htu, 'https://api.example/items');
    assert.equal(payload.ath, computeAth('the-token'));
    assert.equal(payload.nonce, undefined);
  });

  test('a key you pass is used (RS256 too), and two proofs never share a jti', async () => {
    const key = generateDPoPKey('RS256');
    const client = new DPoPClient({ key });
    assert.equal(client.key, key);
    const [a, b] = await Promise.all([
      client.proof('POST', 'https://as.example/token'),
      client.proof('POST', 'https://as.example/token'),
    ]);
    assert.equal(decodeProtectedHeader(a).alg, 'RS256');
    assert.notEqual(decodeJwt(a).jti, decodeJwt(b).jti);
    assert.equal(decodeJwt(a).ath, undefined);
  });

  test("a server's nonce goes into the next proofs to its origin only; an explicit nonce wins", async () => {
    const client = new DPoPClient();
    assert.equal(client.rememberNonce('https://api.example/a', 'n-1'), 'n-1');
    assert.equal(decodeJwt(await client.proof('GET', 'https://api.example/b')).nonce, 'n-1');
    assert.equal(decodeJwt(await client.proof('GET', 'https://other.example/b')).nonce, undefined);
    // Same origin: the default port is the same server, another port is not.
    assert.equal(client.nonceFor('https://api.example:443/x'), 'n-1');
    assert.equal(client.nonceFor('https://api.example:8443/x'), undefined);
    assert.equal(
      decodeJwt(await client.proof('GET', 'https://api.example/b', undefined, 'n-2')).nonce,
      'n-2',
    );
  });

  test('bad options are ConfigurationErrors that say what to change', () => {
    assert.throws(() => new DPoPClient({ key: {} as never }), ConfigurationError);
    const key = generateDPoPKey();
    assert.throws(
      () => new DPoPClient({ key: { ...key, privateKey: key.publicKey } }),
      /dpop\.key\.privateKey: must be a private key/,
    );
    assert.throws(() => new DPoPClient({ key: { ...key, alg: 'HS256' as never } }), ConfigurationError);
    assert.throws(() => new DPoPClient({ maxNonces: 0 }), /dpop\.maxNonces/);
  });
});

describe('DPoP-Nonce values', () => {
  test('nonce header injection: a value outside the RFC 9449 §8.1 syntax or over 512 characters is no nonce', () => {
    assert.equal(parseDPoPNonce('eyJ7S_zG.eyJH0-Z.HX4w-7v'), 'eyJ7S_zG.eyJH0-Z.HX4w-7v');
    assert.equal(parseDPoPNonce(' padded '), 'padded');
    assert.equal(parseDPoPNonce('with"quote'), undefined);
    assert.equal(parseDPoPNonce('back\\slash'), undefined);
    assert.equal(parseDPoPNonce('two words'), undefined);
    assert.equal(parseDPoPNonce('a, b'), undefined);
    assert.equal(parseDPoPNonce(''), undefined);
    assert.equal(parseDPoPNonce('x'.repeat(512))?.length, 512);
    assert.equal(parseDPoPNonce('x'.repeat(513)), undefined);
    assert.equal(parseDPoPNonce(['a', 'b']), undefined);
  });

  test('nonce memory exhaustion: past maxEntries origins the one used longest ago is forgotten', () => {
    const memory = new NonceMemory(3);
    for (const n of [1, 2, 3]) memory.remember(`https://s${n}.example/`, `n${n}`);
    assert.equal(memory.get('https://s1.example/x'), 'n1'); // s1 used again: s2 is now the oldest
    memory.remember('https://s4.example/', 'n4');
    assert.equal(memory.size, 3);
    assert.equal(memory.get('https://s2.example/'), undefined);
    assert.equal(memory.get('https://s1.example/'), 'n1');
    assert.equal(memory.get('https://s4.example/'), 'n4');
    for (let i = 0; i < 1000; i++) memory.remember(`https://flood-${i}.example/`, 'x');
    assert.equal(memory.size, 3);
    assert.equal(memory.remember('not a url', 'n'), undefined);
  });
});
