/** One test per attack on the validator; each also checks jose's verdict on the same token (differential). */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { HttpError, TokenValidationError } from '../../src/errors.js';
import { createTokenValidator } from '../../src/validation/index.js';
import type { TokenValidatorOptions } from '../../src/validation/options.js';
import {
  AUDIENCE,
  assertSameVerdict,
  b64url,
  CountingKeySource,
  claims,
  ISSUER,
  type OracleOptions,
  rejectsWith,
  signJws,
  testKey,
  token,
} from './helpers.js';

const DEFAULT_ALGS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];
const rsa = testKey('RS256');
const ec = testKey('ES256');

function setup(options: Partial<TokenValidatorOptions> = {}, keys = [rsa.key, ec.key]) {
  const source = new CountingKeySource(keys);
  const validator = createTokenValidator({
    issuer: ISSUER,
    audience: AUDIENCE,
    keySource: source,
    ...options,
  });
  const oracle: OracleOptions = {
    keys: source.jwks(),
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: (options.algorithms as string[] | undefined) ?? DEFAULT_ALGS,
    clockTolerance: options.clockTolerance,
    maxTokenAge: options.maxTokenAge,
  };
  /** Our code must be `code`; jose must refuse too, unless `stricter` says why we refuse and it may not. */
  async function refuses(t: string, code: string, stricter?: string): Promise<TokenValidationError> {
    const error = await rejectsWith(validator.validate(t), code);
    assert.ok(!error.message.includes(t), 'error message must not contain the token');
    await assertSameVerdict(validator, t, oracle, stricter);
    return error;
  }
  return { source, validator, oracle, refuses };
}

/** A token with raw header/payload JSON text, signed with `key`. */
function raw(headerJson: string, payloadJson: string, key = rsa): string {
  return signJws(headerJson, payloadJson, key.privateKey, key.alg);
}

describe('alg: none', () => {
  for (const spelling of ['none', 'None', 'NONE', 'nOnE', ' none', 'none ', '\tnone\n']) {
    test(`alg ${JSON.stringify(spelling)} is refused before any key lookup`, async () => {
      const { refuses, source } = setup();
      const unsigned = `${b64url({ alg: spelling, typ: 'at+jwt' })}.${b64url(claims())}.`;
      await refuses(unsigned, 'alg_none');
      const withSignature = `${unsigned}${b64url('x'.repeat(64))}`;
      await refuses(withSignature, 'alg_none');
      assert.equal(source.getKeysCalls, 0);
    });
  }
});

describe('algorithm confusion', () => {
  const pem = rsa.publicKey.export({ format: 'pem', type: 'spki' }) as string;
  const modulus = Buffer.from(rsa.jwk.n!, 'base64url');
  const secrets: Record<string, Buffer> = {
    'PEM text': Buffer.from(pem),
    'whitespace-prefixed PEM': Buffer.from(`\n  ${pem}`),
    'JWK modulus bytes': modulus,
    'JWK n string': Buffer.from(rsa.jwk.n!),
  };
  for (const [name, secret] of Object.entries(secrets)) {
    test(`HS256 signed with the RSA public key (${name}) as HMAC secret is refused`, async () => {
      const forged = signJws({ alg: 'HS256', kid: rsa.kid, typ: 'at+jwt' }, claims(), secret, 'HS256');
      // Default allowlist: HS256 is not even considered.
      const { refuses, source } = setup();
      await refuses(forged, 'alg_not_allowed');
      assert.equal(source.getKeysCalls, 0);
      // Even with HS256 allowed next to RS256, the RSA key never becomes an HMAC secret.
      const mixed = setup({ algorithms: ['RS256', 'HS256'] });
      await mixed.refuses(forged, 'key_not_found');
    });
  }

  test('an alg the key does not declare (JWK alg RS512, token RS256) is refused', async () => {
    const declared = testKey('RS512', 'declares-rs512');
    const t = signJws(
      { alg: 'RS256', kid: declared.kid, typ: 'at+jwt' },
      claims(),
      declared.privateKey,
      'RS256',
    );
    await setup({}, [declared.key]).refuses(t, 'key_not_found');
  });

  test('an EC token against a key on another curve (ES384 with a P-256 key) is refused', async () => {
    const p256 = testKey('ES256', 'p256-no-alg', null);
    const t = signJws({ alg: 'ES384', kid: p256.kid, typ: 'at+jwt' }, claims(), p256.privateKey, 'ES384');
    await setup({}, [p256.key]).refuses(t, 'key_not_found');
  });

  test('an RS256 token with an EC key id is refused (kty mismatch)', async () => {
    const t = signJws({ alg: 'RS256', kid: ec.kid, typ: 'at+jwt' }, claims(), rsa.privateKey, 'RS256');
    await setup().refuses(t, 'key_not_found');
  });

  test('a key of a 1024-bit RSA modulus is refused', async () => {
    const weak = testKey('RS256-1024', 'weak');
    await setup({}, [weak.key]).refuses(token(weak), 'key_not_found', 'RSA keys under 2048 bits');
  });

  test('an alg outside the allowlist is refused (ES256 when only RS256 is allowed)', async () => {
    await setup({ algorithms: ['RS256'] }).refuses(token(ec), 'alg_not_allowed');
  });
});

describe('keys come only from our key source', () => {
  const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const attackerJwk = attacker.publicKey.export({ format: 'jwk' });

  test('an embedded jwk header is never used to verify', async () => {
    const { refuses } = setup();
    const withOwnKid = signJws(
      { alg: 'RS256', typ: 'at+jwt', kid: 'attacker', jwk: { ...attackerJwk, kid: 'attacker' } },
      claims(),
      attacker.privateKey,
      'RS256',
    );
    await refuses(withOwnKid, 'key_not_found');
    const withOurKid = signJws(
      { alg: 'RS256', typ: 'at+jwt', kid: rsa.kid, jwk: attackerJwk },
      claims(),
      attacker.privateKey,
      'RS256',
    );
    await refuses(withOurKid, 'signature_invalid');
  });

  describe('jku / x5u / x5c', () => {
    let requests = 0;
    const server = createServer((_req, res) => {
      requests++;
      res.end(JSON.stringify({ keys: [attackerJwk] }));
    });
    let base = '';
    before(async () => {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => new Promise<void>((r) => server.close(() => r())));

    test('jku and x5u pointing at a server we do not trust cause no request', async () => {
      const { refuses } = setup();
      for (const header of [
        { jku: `${base}/jwks` },
        { x5u: `${base}/cert.pem` },
        { x5c: [Buffer.from('not a cert').toString('base64')] },
      ]) {
        const t = signJws(
          { alg: 'RS256', typ: 'at+jwt', kid: rsa.kid, ...header },
          claims(),
          attacker.privateKey,
          'RS256',
        );
        await refuses(t, 'signature_invalid');
        const noKid = signJws(
          { alg: 'RS256', typ: 'at+jwt', kid: 'attacker', ...header },
          claims(),
          attacker.privateKey,
          'RS256',
        );
        await refuses(noKid, 'key_not_found');
      }
      assert.equal(requests, 0);
    });
  });

  test('a kid with path traversal names no key', async () => {
    const { refuses, source } = setup();
    const t = signJws(
      { alg: 'RS256', typ: 'at+jwt', kid: '../../../../etc/passwd' },
      claims(),
      rsa.privateKey,
      'RS256',
    );
    await refuses(t, 'key_not_found');
    assert.equal(source.getKeysCalls, 2); // ours + nothing else: the oracle has its own set
  });

  test('a huge kid is refused without a key lookup', async () => {
    const { refuses, source } = setup();
    const t = signJws(
      { alg: 'RS256', typ: 'at+jwt', kid: 'k'.repeat(4000) },
      claims(),
      rsa.privateKey,
      'RS256',
    );
    await refuses(t, 'key_not_found');
    assert.equal(source.getKeysCalls, 0);
  });

  test('a token without kid is refused when several keys could have signed it', async () => {
    const second = testKey('RS256', 'second-rsa');
    const { refuses } = setup({}, [rsa.key, second.key]);
    await refuses(
      token(rsa, {}, { kid: undefined }),
      'key_not_found',
      'no kid and two candidate keys: we never guess',
    );
  });

  test('a signature over a modified payload is refused', async () => {
    const t = token(rsa);
    const [h, , s] = t.split('.');
    await setup().refuses(`${h}.${b64url(claims({ sub: 'admin' }))}.${s}`, 'signature_invalid');
  });

  test('an ES256 signature of all zero bytes is refused', async () => {
    const [h, p] = token(ec).split('.');
    await setup().refuses(`${h}.${p}.${b64url(Buffer.alloc(64))}`, 'signature_invalid');
  });

  test('an ES256 signature in DER instead of IEEE P1363 is refused', async () => {
    const { sign } = await import('node:crypto');
    const input = token(ec).split('.').slice(0, 2).join('.');
    const der = sign('sha256', Buffer.from(input), ec.privateKey);
    await setup().refuses(`${input}.${der.toString('base64url')}`, 'signature_invalid');
  });
});

describe('structure', () => {
  test('crit with an unknown extension is refused', async () => {
    const t = token(rsa, {}, { crit: ['urn:example:ext'], 'urn:example:ext': true });
    await setup().refuses(t, 'crit_unsupported');
  });

  test('crit that is empty, not an array, or names an absent or registered member is refused', async () => {
    const { refuses } = setup();
    await refuses(token(rsa, {}, { crit: [] }), 'token_malformed');
    await refuses(token(rsa, {}, { crit: 'exp' }), 'token_malformed');
    await refuses(token(rsa, {}, { crit: ['absent'] }), 'token_malformed');
    await refuses(token(rsa, {}, { crit: ['alg'] }), 'token_malformed');
  });

  test('b64: false (unencoded payload) is refused, with or without crit', async () => {
    const { refuses } = setup();
    await refuses(token(rsa, {}, { b64: false, crit: ['b64'] }), 'crit_unsupported');
    await refuses(token(rsa, {}, { b64: false }), 'token_malformed', 'b64 has no place in a JWT');
  });

  test('a five-part JWE is refused', async () => {
    const jwe = [
      b64url({ alg: 'RSA-OAEP', enc: 'A256GCM' }),
      b64url('k'),
      b64url('iv'),
      b64url('ct'),
      b64url('tag'),
    ].join('.');
    await setup().refuses(jwe, 'token_malformed');
  });

  test('two segments, four segments, empty segments are refused', async () => {
    const { refuses } = setup();
    const t = token(rsa);
    const [h, p, s] = t.split('.');
    await refuses(`${h}.${p}`, 'token_malformed');
    await refuses(`${t}.${s}`, 'token_malformed');
    await refuses(`.${p}.${s}`, 'token_malformed');
    await refuses(`${h}..${s}`, 'token_malformed');
    await refuses(`${h}.${p}.`, 'signature_invalid');
  });

  test('padding, whitespace and foreign characters in base64url are refused', async () => {
    const { refuses } = setup();
    const [h, p, s] = token(rsa).split('.');
    await refuses(`${h}.${p}.${s}==`, 'token_malformed', 'strict base64url');
    await refuses(`${h}.${p} .${s}`, 'token_malformed', 'strict base64url');
    await refuses(`${h}.${p!.replace(/-/g, '+')}+.${s}`, 'token_malformed');
  });

  test('a 16 KiB token is refused before any decoding', async () => {
    const { refuses, source } = setup();
    const big = token(rsa, { padding: 'x'.repeat(16 * 1024) });
    await refuses(big, 'token_too_large', 'length cap');
    assert.equal(source.getKeysCalls, 0);
  });

  test('duplicate header members are refused (a second alg cannot be smuggled)', async () => {
    const { refuses } = setup();
    const payload = JSON.stringify(claims());
    await refuses(
      raw(`{"alg":"none","alg":"RS256","kid":"${rsa.kid}"}`, payload),
      'token_malformed',
      'duplicate header member',
    );
    await refuses(
      raw(`{"alg":"RS256","kid":"${rsa.kid}","kid":"${rsa.kid}"}`, payload),
      'token_malformed',
      'duplicate header member',
    );
    await refuses(
      raw(`{"alg":"RS256","kid":"${rsa.kid}","\\u0061lg":"RS256"}`, payload),
      'token_malformed',
      'duplicate header member',
    );
  });

  test('__proto__ in claims cannot pollute prototypes and is refused', async () => {
    const { refuses } = setup();
    const header = JSON.stringify({ alg: 'RS256', kid: rsa.kid, typ: 'at+jwt' });
    const base = JSON.stringify(claims()).slice(0, -1);
    for (const extra of [
      ',"__proto__":{"isAdmin":true}',
      ',"\\u005f_proto__":{"isAdmin":true}',
      ',"nested":{"__proto__":{"isAdmin":true}}',
      ',"constructor":{"prototype":{"isAdmin":true}}',
    ]) {
      await refuses(raw(header, `${base}${extra}}`), 'token_malformed', 'prototype-pollution members');
    }
    assert.equal(({} as Record<string, unknown>).isAdmin, undefined);
  });

  test('a header or payload that is not a JSON object, or not UTF-8, is refused', async () => {
    const { refuses } = setup();
    await refuses(raw('["RS256"]', JSON.stringify(claims())), 'token_malformed');
    await refuses(raw(JSON.stringify({ alg: 'RS256', kid: rsa.kid }), '"a string"'), 'token_malformed');
    const notUtf8 = Buffer.from(JSON.stringify(claims({ sub: '\u00ff\u00fe' })), 'latin1');
    await refuses(
      signJws({ alg: 'RS256', kid: rsa.kid }, notUtf8, rsa.privateKey, 'RS256'),
      'token_malformed',
    );
  });
});

describe('claims', () => {
  const now = Math.floor(Date.now() / 1000);

  test('an expired token is refused', async () => {
    await setup().refuses(token(rsa, { iat: now - 600, exp: now - 60 }), 'token_expired');
  });

  test('a token not valid yet (nbf) is refused', async () => {
    await setup().refuses(token(rsa, { nbf: now + 120 }), 'token_not_yet_valid');
  });

  test('a token issued in the future is refused', async () => {
    await setup().refuses(
      token(rsa, { iat: now + 120 }),
      'iat_in_future',
      'jose checks iat only with maxTokenAge',
    );
    await setup({ maxTokenAge: 600 }).refuses(token(rsa, { iat: now + 120 }), 'iat_in_future');
  });

  test('a token older than maxTokenAge is refused', async () => {
    await setup({ maxTokenAge: 60 }).refuses(token(rsa, { iat: now - 600 }), 'token_too_old');
  });

  test('clock tolerance applies at the boundaries, as jose applies it', async () => {
    const { validator, oracle } = setup({ clockTolerance: 30 });
    for (const exp of [now - 40, now - 29, now + 1]) {
      await assertSameVerdict(validator, token(rsa, { exp, iat: now - 100 }), {
        ...oracle,
        clockTolerance: 30,
      });
    }
    for (const nbf of [now + 20, now + 40]) {
      await assertSameVerdict(validator, token(rsa, { nbf }), { ...oracle, clockTolerance: 30 });
    }
  });

  test('a token from the wrong issuer is refused without a key lookup', async () => {
    const { refuses, source } = setup();
    await refuses(token(rsa, { iss: 'https://evil.example' }), 'issuer_invalid');
    await refuses(token(rsa, { iss: `${ISSUER}/` }), 'issuer_invalid');
    await refuses(token(rsa, { iss: undefined }), 'issuer_invalid');
    assert.equal(source.getKeysCalls, 0);
  });

  test('a token for another audience is refused', async () => {
    const { refuses } = setup();
    await refuses(token(rsa, { aud: 'urn:other:api' }), 'audience_invalid');
    await refuses(token(rsa, { aud: ['urn:other:api', 'urn:x'] }), 'audience_invalid');
    await refuses(token(rsa, { aud: undefined }), 'audience_invalid');
  });

  test('tokens of another type (dpop+jwt, logout+jwt, secevent+jwt, id_token style) are refused', async () => {
    const { refuses } = setup();
    for (const typ of ['dpop+jwt', 'logout+jwt', 'secevent+jwt', 'application/dpop+jwt', 'JOSE']) {
      await refuses(token(rsa, {}, { typ }), 'typ_invalid');
    }
  });

  test('missing exp or iat is refused; exp of 1e999 (Infinity) is refused', async () => {
    const { refuses } = setup();
    await refuses(token(rsa, { exp: undefined }), 'claim_missing');
    await refuses(token(rsa, { iat: undefined }), 'claim_missing');
    const header = JSON.stringify({ alg: 'RS256', kid: rsa.kid, typ: 'at+jwt' });
    const payload = JSON.stringify(claims({ exp: 0 })).replace('"exp":0', '"exp":1e999');
    await refuses(raw(header, payload), 'claim_invalid', 'non-finite numeric date');
    await refuses(token(rsa, { exp: String(now + 300) }), 'claim_invalid');
  });

  test('strict (RFC 9068) requires typ at+jwt and every profile claim', async () => {
    const strict = setup({ strict: true });
    await strict.validator.validate(token(rsa));
    await rejectsWith(strict.validator.validate(token(rsa, {}, { typ: 'JWT' })), 'typ_invalid');
    await rejectsWith(strict.validator.validate(token(rsa, {}, { typ: undefined })), 'typ_invalid');
    for (const claim of ['sub', 'client_id', 'jti']) {
      await rejectsWith(strict.validator.validate(token(rsa, { [claim]: undefined })), 'claim_missing');
    }
  });

  test('requiredClaims and subject are enforced', async () => {
    await setup({ requiredClaims: ['tenant'] }).refuses(
      token(rsa),
      'claim_missing',
      'oracle not given requiredClaims',
    );
    const { validator } = setup({ subject: 'user-1' });
    await validator.validate(token(rsa));
    await rejectsWith(validator.validate(token(rsa, { sub: 'user-2' })), 'claim_invalid');
  });
});

describe('custom validators', () => {
  test('expected values and functions (sync and async) run last, only for a verified token', async () => {
    let calls = 0;
    const { validator } = setup({
      validators: {
        tenant: 't1',
        amr: 'mfa',
        acr: (value) => {
          calls++;
          return value === 'gold';
        },
        client_id: async (value, all) => value === 'client-1' && all.sub === 'user-1',
      },
    });
    await validator.validate(token(rsa, { tenant: 't1', amr: ['pwd', 'mfa'], acr: 'gold' }));
    await rejectsWith(
      validator.validate(token(rsa, { tenant: 't2', amr: 'mfa', acr: 'gold' })),
      'claim_invalid',
    );
    await rejectsWith(
      validator.validate(token(rsa, { tenant: 't1', amr: 'mfa', acr: 'silver' })),
      'claim_invalid',
    );
    await rejectsWith(
      validator.validate(token(rsa, { tenant: 't1', amr: 'mfa', acr: 'gold', client_id: 'c2' })),
      'claim_invalid',
    );
    const forged = token(rsa, { tenant: 't1', amr: 'mfa', acr: 'gold', jti: 'forged' }).replace(
      /\.[^.]+$/,
      `.${b64url(Buffer.alloc(256))}`,
    );
    const before = calls;
    await rejectsWith(validator.validate(forged), 'signature_invalid');
    assert.equal(calls, before, 'a validator never sees an unverified token');
  });

  test('a validator that throws is a claim_invalid with the cause kept', async () => {
    const boom = new Error('lookup failed');
    const { validator } = setup({ validators: { sub: () => Promise.reject(boom) } });
    const error = await rejectsWith(validator.validate(token(rsa)), 'claim_invalid');
    assert.equal(error.cause, boom);
  });
});

describe('keys unavailable', () => {
  test('a key source that cannot reach the provider gives keys_unavailable with retryAfter and cause', async () => {
    const { validator, source } = setup();
    const cause = new HttpError('503 from jwks', { code: 'http_status', status: 503, retryAfter: 7 });
    source.failWith = cause;
    const error = await rejectsWith(validator.validate(token(rsa)), 'keys_unavailable');
    assert.equal(error.retryAfter, 7);
    assert.equal(error.cause, cause);
    source.failWith = new TokenValidationError('keys_unavailable', 'down', { retryAfter: 3 });
    assert.equal((await rejectsWith(validator.validate(token(rsa)), 'keys_unavailable')).retryAfter, 3);
  });
});

describe('multiple issuers', () => {
  test('a predicate accepts only what it accepts; a throwing predicate refuses', async () => {
    const p = setup({ issuer: (iss) => iss.startsWith('https://tenant-') });
    await p.validator.validate(token(rsa, { iss: 'https://tenant-1' }));
    await rejectsWith(p.validator.validate(token(rsa)), 'issuer_invalid');
    const t = setup({
      issuer: () => {
        throw new Error('x');
      },
    });
    await rejectsWith(t.validator.validate(token(rsa)), 'issuer_invalid');
  });
});
