/**
 * The introspection validator against a real local authorization server: what an answer means (active,
 * inactive, foreign audience or issuer, expired), and that an unobtainable answer is a 503, never a 401.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { toBearerError } from '../../src/bearer/authenticate.js';
import { createBearerAuthenticator } from '../../src/bearer/authenticator.js';
import type { BearerError } from '../../src/bearer/bearer-error.js';
import { ConfigurationError, TokenValidationError } from '../../src/errors.js';
import { createHttpClient } from '../../src/http/index.js';
import { INTROSPECTED_TOKEN_HEADER, looksLikeJws } from '../../src/introspection/index.js';
import { startServer } from '../token/local-server.js';
import { recordingLogger } from '../token-management/recording-logger.js';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  type FakeAuthorizationServer,
  TOKEN,
} from './fake-authorization-server.js';
import {
  AUDIENCE,
  active,
  answerWith,
  useFakeAuthorizationServer,
  validatorFor,
} from './validator-support.js';

let as: FakeAuthorizationServer;
const { introspections } = useFakeAuthorizationServer((server) => {
  as = server;
});

async function refusal(promise: Promise<unknown>): Promise<TokenValidationError> {
  const error = await promise.then(
    () => assert.fail('the token was accepted'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof TokenValidationError, `not a TokenValidationError: ${String(error)}`);
  return error;
}

describe('introspection validator: what an answer means', () => {
  test('an active answer gives claims, scopes and principal shaped as a JWT validation', async () => {
    answerWith(as, () => active({ aud: AUDIENCE, iss: as.issuer, name: 'Ada' }));
    const validator = validatorFor(as);
    const auth = await validator.validate(TOKEN);
    assert.equal(auth.token, TOKEN);
    assert.equal(auth.header, INTROSPECTED_TOKEN_HEADER);
    assert.ok(Object.isFrozen(auth.header));
    assert.equal(auth.claims.sub, 'user-1');
    assert.equal(auth.claims.name, 'Ada');
    assert.deepEqual(auth.scopes, ['read', 'write']);
    assert.ok(auth.principal.claims.some((c) => c.type === 'sub' && c.value === 'user-1'));
    const seen = as.hits('/introspect')[0]!;
    assert.equal(seen.form.get('token'), TOKEN);
    assert.equal(seen.form.get('token_type_hint'), 'access_token');
    assert.ok(!JSON.stringify(auth).includes(TOKEN), 'the token is serialized');
    await validator.close();
  });

  test('active: false is token_inactive, answered 401 invalid_token', async () => {
    answerWith(as, () => ({ active: false }));
    const error = await refusal(validatorFor(as).validate(TOKEN));
    assert.equal(error.code, 'token_inactive');
    const bearer = toBearerError(error) as BearerError;
    assert.equal(bearer.status, 401);
    assert.equal(bearer.code, 'invalid_token');
  });

  test('an answer for another audience is refused; one without aud is accepted', async () => {
    answerWith(as, () => active({ aud: ['https://other.example'] }));
    assert.equal((await refusal(validatorFor(as).validate(TOKEN))).code, 'audience_invalid');
    answerWith(as, () => active({ aud: ['https://other.example', AUDIENCE] }));
    await validatorFor(as).validate(TOKEN);
    answerWith(as, () => active());
    await validatorFor(as).validate(TOKEN);
  });

  test('an answer from another issuer is refused', async () => {
    answerWith(as, () => active({ iss: 'https://evil.example' }));
    assert.equal((await refusal(validatorFor(as).validate(TOKEN))).code, 'issuer_invalid');
  });

  test('an expired answer and one not yet valid are refused as JWTs are (clock tolerance)', async () => {
    const now = Math.floor(Date.now() / 1000);
    answerWith(as, () => active({ exp: now - 60 }));
    assert.equal((await refusal(validatorFor(as).validate(TOKEN))).code, 'token_expired');
    answerWith(as, () => active({ exp: now - 2 }));
    await validatorFor(as, { clockTolerance: 5 }).validate(TOKEN);
    answerWith(as, () => active({ nbf: now + 600 }));
    assert.equal((await refusal(validatorFor(as).validate(TOKEN))).code, 'token_not_yet_valid');
  });

  test('an answer without exp is refused unless allowMissingExp', async () => {
    answerWith(as, () => active({ exp: undefined }));
    assert.equal((await refusal(validatorFor(as).validate(TOKEN))).code, 'claim_missing');
    const auth = await validatorFor(as, { allowMissingExp: true }).validate(TOKEN);
    assert.equal(auth.claims.sub, 'user-1');
  });

  test('a token longer than maxTokenLength is refused before any request', async () => {
    answerWith(as, () => active());
    const error = await refusal(validatorFor(as, { maxTokenLength: 256 }).validate('x'.repeat(257)));
    assert.equal(error.code, 'token_too_large');
    assert.equal((await refusal(validatorFor(as).validate(''))).code, 'token_malformed');
    assert.equal(introspections(), 0);
  });

  test('unsupported_token_type (the server will not introspect it) is a 401, not an outage', async () => {
    answerWith(as, () => ({ error: 'unsupported_token_type' }), { status: 400 });
    assert.equal((await refusal(validatorFor(as).validate(TOKEN))).code, 'token_inactive');
  });

  test('the endpoint is read from discovery once when no address is given', async () => {
    answerWith(as, () => active());
    const validator = validatorFor(as, { address: undefined, cacheDuration: 0 });
    await validator.validate(TOKEN);
    await validator.validate(TOKEN);
    assert.equal(introspections(), 2);
    assert.equal(as.hits('/.well-known/openid-configuration').length, 1);
  });
});

describe('introspection validator: no answer is a 503 with one warning per outage', () => {
  async function unavailable(validator: ReturnType<typeof validatorFor>): Promise<TokenValidationError> {
    const error = await refusal(validator.validate(TOKEN));
    assert.equal(error.code, 'keys_unavailable');
    const bearer = toBearerError(error) as BearerError;
    assert.equal(bearer.status, 503);
    assert.ok(bearer.headers['retry-after'], 'a 503 without Retry-After');
    assert.ok(!`${error.message} ${String(error.cause)}`.includes(TOKEN), 'the token is in the error');
    return error;
  }

  test('a 500 is keys_unavailable (its Retry-After kept), never cached, one warning, one recovery line', async () => {
    const logger = recordingLogger();
    answerWith(as, () => ({ error: 'server_error' }), { status: 503, headers: { 'retry-after': '7' } });
    const validator = validatorFor(as, { logger });
    assert.equal((await unavailable(validator)).retryAfter, 7);
    await unavailable(validator);
    await unavailable(validator);
    assert.equal(introspections(), 3, 'a failure was cached');
    assert.equal(logger.lines.filter((l) => l.level === 'warn').length, 1);
    answerWith(as, () => active());
    await validator.validate(TOKEN);
    assert.equal(logger.lines.filter((l) => l.level === 'info').length, 1);
    assert.ok(!logger.text().includes(TOKEN), 'the token is logged');
  });

  test('a 401 for our own credentials is keys_unavailable, not a 401 for the caller', async () => {
    answerWith(as, () => ({ error: 'invalid_client' }), { status: 401 });
    await unavailable(validatorFor(as));
  });

  test('an endpoint that is down is keys_unavailable', async () => {
    const gone = await startServer(() => {});
    await gone.close();
    await unavailable(validatorFor(as, { address: `${gone.origin}/introspect` }));
  });

  test('an endpoint that does not answer in time is keys_unavailable', async () => {
    answerWith(as, () => active(), { delayMs: 1000 });
    const http = createHttpClient({ env: {}, retryCount: 0, timeoutMs: 200 });
    try {
      await unavailable(validatorFor(as, { httpClient: http }));
    } finally {
      await http.close();
    }
  });

  test('a discovery failure is keys_unavailable', async () => {
    const gone = await startServer(() => {});
    await gone.close();
    await unavailable(validatorFor(as, { address: undefined, issuer: gone.origin }));
  });
});

describe('introspection options: checked when built', () => {
  test('a missing clientId names what to set', () => {
    assert.throws(
      () => validatorFor(as, { clientId: undefined as unknown as string }),
      /clientId is required/,
    );
  });

  test("tokens: 'introspection' without introspection options names what to add", () => {
    assert.throws(
      () => createBearerAuthenticator({ issuer: as.issuer, audience: AUDIENCE, tokens: 'introspection' }),
      (e: unknown) => e instanceof ConfigurationError && /introspection: \{ clientId/.test(e.message),
    );
    assert.throws(
      () =>
        createBearerAuthenticator({
          issuer: as.issuer,
          audience: AUDIENCE,
          tokens: 'introspection',
          introspection: {} as { clientId: string },
        }),
      /introspection: clientId is required/,
    );
    assert.throws(
      () =>
        createBearerAuthenticator({
          issuer: as.issuer,
          audience: AUDIENCE,
          tokens: 'jwt',
          introspection: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
        }),
      /tokens: 'jwt'/,
    );
    assert.throws(
      () => createBearerAuthenticator({ issuer: as.issuer, audience: AUDIENCE, tokens: 'opaque' as 'jwt' }),
      /tokens: must be/,
    );
    assert.throws(() => validatorFor(as, { cacheDuration: -1 }), /cacheDuration/);
  });

  test('introspection without tokens means every token is introspected', async () => {
    answerWith(as, () => active({ aud: AUDIENCE }));
    const authenticator = createBearerAuthenticator({
      issuer: as.issuer,
      audience: AUDIENCE,
      httpClient: as.http,
      introspection: { address: as.introspectionEndpoint, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    });
    const auth = await authenticator.authenticate({ headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(auth?.claims.sub, 'user-1');
    assert.equal(introspections(), 1);
    await authenticator.close();
  });
});

describe("tokens: 'auto' tells a JWS from an opaque token cheaply", () => {
  test('three base64url segments whose first is a JSON object with alg is a JWS; nothing else is', () => {
    const header = Buffer.from('{"alg":"RS256","typ":"at+jwt"}').toString('base64url');
    assert.equal(looksLikeJws(`${header}.e30.c2ln`), true);
    assert.equal(looksLikeJws(TOKEN), false);
    assert.equal(looksLikeJws('a.b.c'), false);
    assert.equal(looksLikeJws(`${Buffer.from('{"typ":"JWT"}').toString('base64url')}.e30.c2ln`), false);
    assert.equal(looksLikeJws(`${header}.e30.c2ln.x.y`), false, 'a JWE is not a JWS');
    assert.equal(looksLikeJws(`${Buffer.from('[1]').toString('base64url')}.e30.x`), false);
  });
});
