/**
 * ID token validation (OIDC Core §3.1.3.7): every refusal is named after the attack it stops. Tokens are
 * signed here with real keys and verified on the same JWS path as access tokens.
 */
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import { ConfigurationError } from '../../src/errors.js';
import {
  createIdTokenValidator,
  type IdTokenValidatorOptions,
  validateIdToken,
} from '../../src/id-token/id-token-validator.js';
import { tokenHash } from '../../src/id-token/token-hash.js';
import { LocalKeySet } from '../../src/jwks/local-key-set.js';
import { b64url, rejectsWith, signJws, testKey } from '../validation/helpers.js';
import { CLIENT, ISSUER, jwt, nowSeconds, opKey, opKeys } from './support.js';

const base: IdTokenValidatorOptions = { issuer: ISSUER, clientId: CLIENT, keySource: opKeys };

function idToken(overrides: Record<string, unknown> = {}, header: Record<string, unknown> = {}): string {
  const now = nowSeconds();
  return jwt({ iss: ISSUER, sub: 'alice', aud: CLIENT, iat: now, exp: now + 300, ...overrides }, header);
}

/** Left-most half of the hash, as OIDC Core §3.1.3.6 defines it, computed independently of the library. */
function halfHash(value: string, hash: string): string {
  const digest = createHash(hash).update(value, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

describe('ID tokens: accepted', () => {
  test('a token from the issuer for our client, with the nonce, at_hash, c_hash and auth_time, passes', async () => {
    const now = nowSeconds();
    const token = idToken({
      nonce: 'n-0S6_WzA2Mj',
      at_hash: halfHash('access-1', 'sha256'),
      c_hash: halfHash('code-1', 'sha256'),
      auth_time: now - 10,
      acr: 'urn:mace:incommon:iap:silver',
    });
    const result = await validateIdToken(token, {
      ...base,
      nonce: 'n-0S6_WzA2Mj',
      accessToken: 'access-1',
      code: 'code-1',
      maxAge: 60,
      acrValues: ['urn:mace:incommon:iap:silver'],
    });
    assert.equal(result.sub, 'alice');
    assert.ok(Object.isFrozen(result.claims));
  });

  test('typ JWT and an absent typ are both accepted; several audiences pass with azp = our client', async () => {
    const v = createIdTokenValidator(base);
    await v.validate(idToken({}, { typ: 'JWT' }));
    await v.validate(idToken({ aud: [CLIENT, 'other'], azp: CLIENT }));
    await v.close();
  });

  test('at_hash uses the JWS alg hash: SHA-384 for ES384, SHA-512 for PS512 and for EdDSA on Ed25519', async () => {
    for (const [alg, hash] of [
      ['ES384', 'sha384'],
      ['PS512', 'sha512'],
      ['EdDSA', 'sha512'],
    ] as const) {
      const key = testKey(alg, `${alg}-op`);
      const now = nowSeconds();
      const token = jwt(
        { iss: ISSUER, sub: 's', aud: CLIENT, iat: now, exp: now + 60, at_hash: halfHash('at-x', hash) },
        {},
        key,
      );
      const keys = new LocalKeySet({ keys: [key.jwk] });
      const ok = await validateIdToken(token, { ...base, keySource: keys, accessToken: 'at-x' });
      assert.equal(ok.sub, 's', alg);
    }
  });

  test('EdDSA on Ed448 hashes with SHAKE256 (114 bytes), told apart by its 114-byte signature', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed448');
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'ed448', alg: 'EdDSA', use: 'sig' };
    const full = createHash('shake256', { outputLength: 114 }).update('at-448').digest();
    const atHash = full.subarray(0, 57).toString('base64url');
    assert.equal(tokenHash('at-448', 'EdDSA', 152), atHash);
    const now = nowSeconds();
    const token = signJws(
      { alg: 'EdDSA', kid: 'ed448' },
      { iss: ISSUER, sub: 's', aud: CLIENT, iat: now, exp: now + 60, at_hash: atHash },
      privateKey,
      'EdDSA',
    );
    const keys = new LocalKeySet({ keys: [jwk] });
    await validateIdToken(token, { ...base, keySource: keys, accessToken: 'at-448' });
  });
});

describe('ID tokens: refused', () => {
  const v = createIdTokenValidator(base);

  test('wrong nonce (a response injected from another session) is refused', async () => {
    await rejectsWith(v.validate(idToken({ nonce: 'attacker' }), { nonce: 'mine' }), 'nonce_mismatch');
  });

  test('missing nonce when one was sent (a replayed or unsolicited token) is refused', async () => {
    await rejectsWith(v.validate(idToken(), { nonce: 'mine' }), 'nonce_mismatch');
  });

  test('nonce replay: a token issued for an earlier request is refused for the next one', async () => {
    const earlier = idToken({ nonce: 'first-request' });
    await v.validate(earlier, { nonce: 'first-request' });
    await rejectsWith(v.validate(earlier, { nonce: 'second-request' }), 'nonce_mismatch');
  });

  test('at_hash mismatch (an access token swapped in) is refused', async () => {
    const token = idToken({ at_hash: halfHash('the-real-access-token', 'sha256') });
    await rejectsWith(v.validate(token, { accessToken: 'a-swapped-access-token' }), 'at_hash_mismatch');
  });

  test('at_hash computed with the wrong hash (SHA-512 for RS256) is refused', async () => {
    const token = idToken({ at_hash: halfHash('access-1', 'sha512') });
    await rejectsWith(v.validate(token, { accessToken: 'access-1' }), 'at_hash_mismatch');
  });

  test('at_hash absent when required (hybrid with token) is refused', async () => {
    await rejectsWith(v.validate(idToken(), { accessToken: 'a', requireAtHash: true }), 'claim_missing');
  });

  test('c_hash mismatch (a code swapped in, hybrid flow) is refused, and an absent c_hash too', async () => {
    const token = idToken({ c_hash: halfHash('the-real-code', 'sha256') });
    await rejectsWith(v.validate(token, { code: 'an-injected-code' }), 'c_hash_mismatch');
    await rejectsWith(v.validate(idToken(), { code: 'an-injected-code' }), 'claim_missing');
  });

  test('azp missing with multiple audiences (a token minted for another client) is refused', async () => {
    await rejectsWith(v.validate(idToken({ aud: [CLIENT, 'other-client'] })), 'azp_invalid');
  });

  test('azp naming another client is refused', async () => {
    await rejectsWith(v.validate(idToken({ aud: [CLIENT, 'other'], azp: 'other' })), 'azp_invalid');
  });

  test('an ID token for another client (aud) is refused', async () => {
    await rejectsWith(v.validate(idToken({ aud: 'other-client' })), 'audience_invalid');
  });

  test('an ID token from another issuer is refused', async () => {
    await rejectsWith(v.validate(idToken({ iss: 'https://op.example/' })), 'issuer_invalid');
  });

  test('ID token signed by another key is refused', async () => {
    const other = testKey('RS256', 'attacker');
    const now = nowSeconds();
    const claims = { iss: ISSUER, sub: 'alice', aud: CLIENT, iat: now, exp: now + 60 };
    // Same kid as ours, signed by another private key.
    const forged = signJws({ alg: 'RS256', kid: opKey.kid }, claims, other.privateKey, 'RS256');
    await rejectsWith(v.validate(forged), 'signature_invalid');
    await rejectsWith(v.validate(jwt(claims, {}, other)), 'key_not_found');
  });

  test('alg none (an unsigned token) is refused', async () => {
    const now = nowSeconds();
    const unsigned = `${b64url({ alg: 'none' })}.${b64url({ iss: ISSUER, sub: 'a', aud: CLIENT, iat: now, exp: now + 60 })}.`;
    await rejectsWith(v.validate(unsigned), 'alg_none');
  });

  test('HS256 with the client secret when not allowed is refused (and cannot be allowed)', async () => {
    const secret = Buffer.from('client-secret-known-to-the-attacker-0123456789');
    const now = nowSeconds();
    const token = signJws(
      { alg: 'HS256' },
      { iss: ISSUER, sub: 'a', aud: CLIENT, iat: now, exp: now + 60 },
      secret,
      'HS256',
    );
    await rejectsWith(v.validate(token), 'alg_not_allowed');
    assert.throws(() => createIdTokenValidator({ ...base, algorithms: ['HS256'] }), ConfigurationError);
  });

  test('an access token (at+jwt) offered as an ID token is refused', async () => {
    await rejectsWith(v.validate(idToken({}, { typ: 'at+jwt' })), 'typ_invalid');
  });

  test('auth_time too old for max_age (a stale session passed off as fresh) is refused', async () => {
    const token = idToken({ auth_time: nowSeconds() - 600 });
    await rejectsWith(v.validate(token, { maxAge: 60 }), 'auth_time_too_old');
  });

  test('auth_time missing when max_age was sent is refused; auth_time in the future too', async () => {
    await rejectsWith(v.validate(idToken(), { maxAge: 60 }), 'claim_missing');
    await rejectsWith(v.validate(idToken({ auth_time: nowSeconds() + 600 })), 'claim_invalid');
  });

  test('acr not acceptable (a weaker authentication than required) is refused, and a missing acr too', async () => {
    const silver = ['urn:acr:silver'];
    await rejectsWith(v.validate(idToken({ acr: 'urn:acr:bronze' }), { acrValues: silver }), 'acr_invalid');
    await rejectsWith(v.validate(idToken(), { acrValues: silver }), 'acr_invalid');
  });

  test('expired ID token is refused', async () => {
    const now = nowSeconds();
    await rejectsWith(v.validate(idToken({ iat: now - 600, exp: now - 300 })), 'token_expired');
  });

  test('future iat (a token minted ahead) is refused', async () => {
    await rejectsWith(v.validate(idToken({ iat: nowSeconds() + 600 })), 'iat_in_future');
  });

  test('missing sub, exp or iat is refused', async () => {
    for (const name of ['sub', 'exp', 'iat']) {
      await rejectsWith(v.validate(idToken({ [name]: undefined })), 'claim_missing');
    }
  });

  test('options are checked at construction and per call, with a message that says what to change', async () => {
    assert.throws(() => createIdTokenValidator({ ...base, clientId: '' }), /clientId is required/);
    assert.throws(
      () => createIdTokenValidator({ ...base, issuer: undefined as unknown as string }),
      /issuer/,
    );
    await assert.rejects(v.validate(idToken(), { maxAge: -1 }), /maxAge must be/);
    await assert.rejects(v.validate(idToken(), { nonce: '' }), /nonce must be/);
  });
});
