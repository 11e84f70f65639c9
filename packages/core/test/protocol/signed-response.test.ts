/**
 * The shared verifier of signed endpoint responses (RFC 9701 introspection, signed userinfo): every rule a
 * forged, misdirected or replayed response breaks is refused before its content is read.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigurationError } from '../../src/errors.js';
import { LocalKeySet } from '../../src/jwks/local-key-set.js';
import {
  type SignedResponseOptions,
  SignedResponseVerifier,
  verifySignedResponse,
} from '../../src/protocol/signed-response.js';
import { b64url, rejectsWith, signJws, testKey } from '../validation/helpers.js';

const ISSUER = 'https://as.example';
const CLIENT = 'rs-client';
const key = testKey('ES256', 'as-key');
const other = testKey('ES256', 'attacker-key');
const keys = new LocalKeySet({ keys: [key.jwk] });

const base: SignedResponseOptions = {
  issuer: ISSUER,
  audience: CLIENT,
  typ: ['token-introspection+jwt'],
  keySource: keys,
};

function response(
  claimOverrides: Record<string, unknown> = {},
  headerOverrides: Record<string, unknown> = {},
  signer = key,
): string {
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    iss: ISSUER,
    aud: CLIENT,
    iat: now,
    token_introspection: { active: true, sub: 'u1' },
    ...claimOverrides,
  };
  const header: Record<string, unknown> = {
    alg: 'ES256',
    kid: signer.kid,
    typ: 'token-introspection+jwt',
    ...headerOverrides,
  };
  for (const o of [claims, header]) for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return signJws(header, claims, signer.privateKey, 'ES256');
}

describe('signed responses: accepted', () => {
  test('a response signed by the issuer for us is accepted, frozen, with no exp required', async () => {
    const verified = await verifySignedResponse(response(), base);
    assert.deepEqual(verified.claims.token_introspection, { active: true, sub: 'u1' });
    assert.equal(verified.header.typ, 'token-introspection+jwt');
    assert.ok(Object.isFrozen(verified.claims));
    assert.ok(Object.isFrozen(verified.claims.token_introspection));
  });

  test('typ is compared case-insensitively, with or without application/', async () => {
    const verifier = new SignedResponseVerifier(base);
    await verifier.verify(response({}, { typ: 'application/Token-Introspection+JWT' }));
  });

  test('userinfo rules: typ JWT or absent, no iat required', async () => {
    const rules = { ...base, typ: ['JWT'], allowAbsentTyp: true, requiredClaims: [] };
    await verifySignedResponse(response({ iat: undefined }, { typ: undefined }), rules);
    await verifySignedResponse(response({ iat: undefined }, { typ: 'JWT' }), rules);
  });
});

describe('signed responses: refused', () => {
  test('forged: signed by another key under the issuer kid', async () => {
    await rejectsWith(verifySignedResponse(response({}, { kid: key.kid }, other), base), 'signature_invalid');
  });

  test('forged: signed by a key the issuer does not publish', async () => {
    await rejectsWith(verifySignedResponse(response({}, {}, other), base), 'key_not_found');
  });

  test('unsigned: alg none in any spelling', async () => {
    for (const alg of ['none', 'None', 'NONE']) {
      const jwt = `${b64url({ alg, typ: 'token-introspection+jwt' })}.${b64url({ iss: ISSUER, aud: CLIENT, iat: 1 })}.`;
      await rejectsWith(verifySignedResponse(jwt, base), 'alg_none');
    }
  });

  test('alg outside the allowlist', async () => {
    await rejectsWith(
      verifySignedResponse(response(), { ...base, algorithms: ['RS256'] }),
      'alg_not_allowed',
    );
  });

  test('misdirected: aud is another client (a response meant for someone else)', async () => {
    await rejectsWith(verifySignedResponse(response({ aud: 'other-client' }), base), 'audience_invalid');
    await rejectsWith(verifySignedResponse(response({ aud: undefined }), base), 'audience_invalid');
  });

  test('aud as a list containing us is accepted', async () => {
    await verifySignedResponse(response({ aud: ['x', CLIENT] }), base);
  });

  test('foreign issuer: iss differs (even by a trailing slash) or is missing', async () => {
    await rejectsWith(verifySignedResponse(response({ iss: `${ISSUER}/` }), base), 'issuer_invalid');
    await rejectsWith(
      verifySignedResponse(response({ iss: 'https://evil.example' }), base),
      'issuer_invalid',
    );
    await rejectsWith(verifySignedResponse(response({ iss: undefined }), base), 'issuer_invalid');
  });

  test('token confusion: an at+jwt access token or an ID token is not an introspection response', async () => {
    await rejectsWith(verifySignedResponse(response({}, { typ: 'at+jwt' }), base), 'typ_invalid');
    await rejectsWith(verifySignedResponse(response({}, { typ: 'JWT' }), base), 'typ_invalid');
    await rejectsWith(verifySignedResponse(response({}, { typ: undefined }), base), 'typ_invalid');
  });

  test('iat is required (RFC 9701 §5) and may not be in the future beyond the tolerance', async () => {
    const now = Math.floor(Date.now() / 1000);
    await rejectsWith(verifySignedResponse(response({ iat: undefined }), base), 'claim_missing');
    await rejectsWith(verifySignedResponse(response({ iat: now + 60 }), base), 'iat_in_future');
    await verifySignedResponse(response({ iat: now + 3 }), base);
    const hugeIat = `{"iss":"${ISSUER}","aud":"${CLIENT}","iat":1e999}`;
    const header = { alg: 'ES256', kid: key.kid, typ: 'token-introspection+jwt' };
    await rejectsWith(
      verifySignedResponse(signJws(header, hugeIat, key.privateKey, 'ES256'), base),
      'claim_invalid',
    );
  });

  test('replayed old response: refused past maxAge; an expired exp is refused', async () => {
    const now = Math.floor(Date.now() / 1000);
    await rejectsWith(
      verifySignedResponse(response({ iat: now - 600 }), { ...base, maxAge: 60 }),
      'token_too_old',
    );
    await rejectsWith(verifySignedResponse(response({ exp: now - 60 }), base), 'token_expired');
  });

  test('malformed: not three segments, a JWE, bad base64url, duplicate header members, empty', async () => {
    await rejectsWith(verifySignedResponse('abc', base), 'token_malformed');
    await rejectsWith(verifySignedResponse('a.b.c.d.e', base), 'token_malformed');
    await rejectsWith(verifySignedResponse(`${response()}=`, base), 'token_malformed');
    await rejectsWith(verifySignedResponse('', base), 'token_malformed');
    const dup = `${b64url('{"alg":"ES256","alg":"none","typ":"token-introspection+jwt"}')}.${b64url({})}.x`;
    await rejectsWith(verifySignedResponse(dup, base), 'token_malformed');
  });

  test('oversized: a response longer than 64 KiB is refused before decoding', async () => {
    await rejectsWith(verifySignedResponse('a'.repeat(70_000), base), 'token_too_large');
  });
});

describe('signed responses: options', () => {
  test('bad options are a ConfigurationError naming what to change', () => {
    const cases: Array<[Partial<SignedResponseOptions>, RegExp]> = [
      [{ typ: [] }, /typ must be a non-empty array/],
      [{ issuer: '' }, /signed response: issuer/],
      [{ audience: [] }, /signed response: audience/],
      [{ algorithms: ['none'] }, /'none' is never allowed/],
      [{ clockTolerance: -1 }, /clockTolerance/],
      [{ maxAge: 0 }, /maxAge/],
      [{ keySource: {} as never }, /keySource must implement/],
    ];
    for (const [override, message] of cases) {
      assert.throws(
        () => new SignedResponseVerifier({ ...base, ...override }),
        (err: unknown) => {
          assert.ok(err instanceof ConfigurationError);
          assert.match(err.message, message);
          return true;
        },
      );
    }
  });
});
