import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { computeAth } from '../../src/dpop/compute-ath.js';
import { generateDPoPKey } from '../../src/dpop/dpop-key.js';
import { DPoPProofError, type DPoPProofErrorCode } from '../../src/dpop/dpop-proof-error.js';
import { jwkThumbprint } from '../../src/dpop/jwk-thumbprint.js';
import { type DPoPProofRequest, DPoPProofVerifier, verifyDPoPProof } from '../../src/dpop/verify-proof.js';
import { ConfigurationError } from '../../src/errors.js';
import { MemoryReplayStore } from '../../src/replay/memory-replay-store.js';
import { defaultKey, proof, signJws } from './proof-support.js';

const HTU = 'https://api.example/things';
const TOKEN = 'access-token-value';
const request = { method: 'POST', url: HTU, accessToken: TOKEN };

function expectCode(run: () => unknown, code: DPoPProofErrorCode): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof DPoPProofError, String(error));
    assert.equal(error.code, code);
    return true;
  });
}

describe('DPoPProofVerifier: RFC 9449 §4.3 checks', () => {
  const verifier = new DPoPProofVerifier();
  const inspect = (p: string, r: DPoPProofRequest = request) => {
    const inspected = verifier.inspect(p, r);
    verifier.checkSignature(inspected);
    return inspected;
  };

  test('a valid proof yields the key thumbprint and the claims', () => {
    const checked = inspect(proof('POST', HTU, { accessToken: TOKEN }));
    assert.equal(checked.jkt, jwkThumbprint(defaultKey.publicJwk));
    assert.equal(checked.htm, 'POST');
    assert.equal(checked.htu, HTU);
  });

  for (const alg of ['ES256', 'ES384', 'PS256', 'RS256', 'EdDSA'] as const) {
    test(`${alg} proofs verify`, () => {
      const key = generateDPoPKey(alg);
      assert.equal(
        inspect(proof('POST', HTU, { key, accessToken: TOKEN })).jkt,
        jwkThumbprint(key.publicJwk),
      );
    });
  }

  test('malformed: not three segments, non-canonical base64url, oversized, not JSON', () => {
    const good = proof('POST', HTU, { accessToken: TOKEN });
    for (const bad of [
      '',
      'a.b',
      `${good}.x`,
      `${good}=`,
      `${good.slice(0, 5)} ${good.slice(5)}`,
      good.slice(0, good.lastIndexOf('.') + 1),
      '.e30.AA',
    ]) {
      expectCode(() => inspect(bad), 'dpop_proof_malformed');
    }
    expectCode(() => inspect(`${good}${'A'.repeat(8200)}`), 'dpop_proof_malformed');
    const notJson = `${Buffer.from('{"typ":').toString('base64url')}.e30.AA`;
    expectCode(() => inspect(notJson), 'dpop_proof_malformed');
  });

  test('a header with a duplicate member or a crit header is malformed', () => {
    const header = Buffer.from(
      `{"typ":"dpop+jwt","alg":"ES256","alg":"ES256","jwk":${JSON.stringify(defaultKey.publicJwk)}}`,
    ).toString('base64url');
    expectCode(() => inspect(`${header}.e30.AA`), 'dpop_proof_malformed');
    expectCode(
      () => inspect(proof('POST', HTU, { accessToken: TOKEN, header: { crit: ['exp'] } })),
      'dpop_proof_malformed',
    );
  });

  test('typ other than dpop+jwt', () => {
    expectCode(
      () => inspect(proof('POST', HTU, { accessToken: TOKEN, header: { typ: 'JWT' } })),
      'dpop_typ_invalid',
    );
    expectCode(
      () => inspect(proof('POST', HTU, { accessToken: TOKEN, header: { typ: undefined } })),
      'dpop_typ_invalid',
    );
  });

  test('alg none, a symmetric alg, or one outside the allowlist', () => {
    const claims = {
      jti: 'j',
      htm: 'POST',
      htu: HTU,
      iat: Math.floor(Date.now() / 1000),
      ath: computeAth(TOKEN),
    };
    const none = signJws({ typ: 'dpop+jwt', alg: 'none', jwk: defaultKey.publicJwk }, claims);
    expectCode(() => inspect(none), 'dpop_alg_not_allowed');
    const secret = randomBytes(32);
    const hs = signJws(
      { typ: 'dpop+jwt', alg: 'HS256', jwk: { kty: 'oct', k: secret.toString('base64url') } },
      claims,
      secret,
    );
    expectCode(() => inspect(hs), 'dpop_alg_not_allowed');
    const narrow = new DPoPProofVerifier({ algorithms: ['EdDSA'] });
    expectCode(
      () => narrow.inspect(proof('POST', HTU, { accessToken: TOKEN }), request),
      'dpop_alg_not_allowed',
    );
  });

  test('a private key in the jwk header is refused before it is used', () => {
    const privateJwk = defaultKey.privateKey.export({ format: 'jwk' });
    expectCode(
      () => inspect(proof('POST', HTU, { accessToken: TOKEN, header: { jwk: privateJwk } })),
      'dpop_jwk_private',
    );
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
    for (const member of ['p', 'q', 'dp', 'dq', 'qi']) {
      const jwk = { kty: 'RSA', n: rsa.n, e: rsa.e, [member]: (rsa as Record<string, string>)[member] };
      expectCode(
        () => inspect(proof('POST', HTU, { accessToken: TOKEN, header: { jwk } })),
        'dpop_jwk_private',
      );
    }
  });

  test('jwk missing, unusable, a short RSA key, or not fitting alg', () => {
    expectCode(
      () => inspect(proof('POST', HTU, { accessToken: TOKEN, header: { jwk: undefined } })),
      'dpop_jwk_invalid',
    );
    expectCode(
      () => inspect(proof('POST', HTU, { accessToken: TOKEN, header: { jwk: { kty: 'EC', crv: 'P-256' } } })),
      'dpop_jwk_invalid',
    );
    const short = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
    expectCode(
      () => inspect(proof('POST', HTU, { accessToken: TOKEN, header: { alg: 'RS256', jwk: short } })),
      'dpop_jwk_invalid',
    );
    const p384 = generateDPoPKey('ES384').publicJwk;
    expectCode(
      () => inspect(proof('POST', HTU, { accessToken: TOKEN, header: { jwk: p384 } })),
      'dpop_jwk_invalid',
    );
  });

  test('a signature by another key than the jwk header names', () => {
    const other = generateDPoPKey('ES256');
    const forged = proof('POST', HTU, { accessToken: TOKEN, header: { jwk: other.publicJwk } });
    expectCode(() => inspect(forged), 'dpop_signature_invalid');
    const zero = `${forged.slice(0, forged.lastIndexOf('.') + 1)}${Buffer.alloc(64).toString('base64url')}`;
    expectCode(() => inspect(zero), 'dpop_signature_invalid');
  });

  test('htm mismatch (case counts: methods are case-sensitive)', () => {
    expectCode(() => inspect(proof('GET', HTU, { accessToken: TOKEN })), 'dpop_htm_mismatch');
    expectCode(() => inspect(proof('post', HTU, { accessToken: TOKEN })), 'dpop_htm_mismatch');
    expectCode(() => inspect(proof('POST', HTU, { accessToken: TOKEN, omit: ['htm'] })), 'dpop_htm_mismatch');
  });

  test('htu with another host, path, scheme or port, or none; query and fragment ignored', () => {
    for (const htu of [
      'https://evil.example/things',
      'https://api.example/other',
      'http://api.example/things',
      'https://api.example:8443/things',
      'https://api.example/things/',
      'ftp://api.example/things',
      'not a url',
    ]) {
      expectCode(() => inspect(proof('POST', htu, { accessToken: TOKEN })), 'dpop_htu_mismatch');
    }
    expectCode(() => inspect(proof('POST', HTU, { accessToken: TOKEN, omit: ['htu'] })), 'dpop_htu_mismatch');
    expectCode(
      () => inspect(proof('POST', HTU, { accessToken: TOKEN }), { ...request, url: undefined }),
      'dpop_htu_mismatch',
    );
    assert.equal(
      inspect(proof('POST', 'HTTPS://API.example:443/a/../things?x=1#f', { accessToken: TOKEN })).htu,
      HTU,
    );
  });

  test('iat stale, in the future beyond the skew, or missing', () => {
    const now = Math.floor(Date.now() / 1000);
    expectCode(
      () => inspect(proof('POST', HTU, { accessToken: TOKEN, claims: { iat: now - 61 } })),
      'dpop_iat_invalid',
    );
    expectCode(
      () => inspect(proof('POST', HTU, { accessToken: TOKEN, claims: { iat: now + 30 } })),
      'dpop_iat_invalid',
    );
    expectCode(
      () => inspect(proof('POST', HTU, { accessToken: TOKEN, claims: { iat: String(now) } })),
      'dpop_iat_invalid',
    );
    expectCode(() => inspect(proof('POST', HTU, { accessToken: TOKEN, omit: ['iat'] })), 'dpop_iat_invalid');
    assert.ok(inspect(proof('POST', HTU, { accessToken: TOKEN, claims: { iat: now - 55 } })));
    assert.ok(inspect(proof('POST', HTU, { accessToken: TOKEN, claims: { iat: now + 3 } })));
  });

  test('jti missing, empty, not a string or longer than 256', () => {
    for (const jti of [undefined, '', 42, 'x'.repeat(257)]) {
      const p =
        jti === undefined
          ? proof('POST', HTU, { accessToken: TOKEN, omit: ['jti'] })
          : proof('POST', HTU, { accessToken: TOKEN, claims: { jti } });
      expectCode(() => inspect(p), 'dpop_jti_missing');
    }
  });

  test('ath missing or the hash of another token', () => {
    expectCode(() => inspect(proof('POST', HTU)), 'dpop_ath_mismatch');
    expectCode(() => inspect(proof('POST', HTU, { accessToken: 'another-token' })), 'dpop_ath_mismatch');
  });

  test('bad options are refused when the verifier is built', () => {
    assert.throws(() => new DPoPProofVerifier({ algorithms: [] }), ConfigurationError);
    assert.throws(() => new DPoPProofVerifier({ algorithms: ['HS256'] }), ConfigurationError);
    assert.throws(() => new DPoPProofVerifier({ iatWindow: 0 }), ConfigurationError);
    assert.throws(() => new DPoPProofVerifier({ iatWindow: 7200 }), ConfigurationError);
  });
});

describe('DPoP replay detection', () => {
  test('a replayed jti is refused within the window and forgotten after it', async () => {
    let now = Date.now();
    const clock = () => now;
    const store = new MemoryReplayStore({ now: clock });
    const iat = Math.floor(now / 1000);
    const p = proof('POST', HTU, { accessToken: TOKEN, claims: { jti: 'once', iat } });
    await verifyDPoPProof(p, request, { replayStore: store, iatWindow: 30, now: clock });
    await assert.rejects(
      verifyDPoPProof(p, request, { replayStore: store, iatWindow: 30, now: clock }),
      (e: unknown) => {
        return e instanceof DPoPProofError && e.code === 'dpop_replayed';
      },
    );
    // The same jti is kept for iatWindow + skew (35 s), and the proof is stale long before it is forgotten.
    now += 34_000;
    const fresh = proof('POST', HTU, {
      accessToken: TOKEN,
      claims: { jti: 'once', iat: Math.floor(now / 1000) },
    });
    await assert.rejects(
      verifyDPoPProof(fresh, request, { replayStore: store, iatWindow: 30, now: clock }),
      /already used/,
    );
    now += 2_000;
    const later = proof('POST', HTU, {
      accessToken: TOKEN,
      claims: { jti: 'once', iat: Math.floor(now / 1000) },
    });
    assert.equal(
      (await verifyDPoPProof(later, request, { replayStore: store, iatWindow: 30, now: clock })).jti,
      'once',
    );
  });

  test('the same jti from another key is not a replay of this key’s proof', async () => {
    const store = new MemoryReplayStore();
    const other = generateDPoPKey('ES256');
    await verifyDPoPProof(proof('POST', HTU, { accessToken: TOKEN, claims: { jti: 'shared' } }), request, {
      replayStore: store,
    });
    const result = await verifyDPoPProof(
      proof('POST', HTU, { key: other, accessToken: TOKEN, claims: { jti: 'shared' } }),
      request,
      { replayStore: store },
    );
    assert.equal(result.jkt, jwkThumbprint(other.publicJwk));
  });

  test('the default store holds a busy server’s window: 12,000 distinct proofs within one second all pass', () => {
    // The default once held 10,000 identifiers for 65 s: the 10,001st proof of a window was answered 503.
    const now = Date.now();
    const clock = () => now;
    const verifier = new DPoPProofVerifier({ now: clock });
    const key = generateDPoPKey('EdDSA');
    const iat = Math.floor(now / 1000);
    for (let i = 0; i < 12_000; i++) {
      const p = proof('POST', HTU, { key, accessToken: TOKEN, claims: { jti: `busy-${i}`, iat } });
      const inspected = verifier.inspect(p, request);
      verifier.checkSignature(inspected);
      verifier.record(inspected);
    }
    // Still a replay store: the first of them is refused again.
    const first = proof('POST', HTU, { key, accessToken: TOKEN, claims: { jti: 'busy-0', iat } });
    expectCode(() => verifier.record(verifier.inspect(first, request)), 'dpop_replayed');
  });

  test('a full store rejects with its own error (the caller answers 503), never accepts', async () => {
    const store = new MemoryReplayStore({ maxEntries: 1 });
    await verifyDPoPProof(proof('POST', HTU, { accessToken: TOKEN }), request, { replayStore: store });
    await assert.rejects(
      verifyDPoPProof(proof('POST', HTU, { accessToken: TOKEN }), request, { replayStore: store }),
      {
        name: 'ReplayStoreFullError',
      },
    );
  });
});
