import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { secretIssuer } from '../../../../test/adapters/support/secret-tokens.js';
import { authenticateBearer } from '../../src/bearer/authenticate.js';
import { authorizeBearer, createBearerAuthenticator } from '../../src/bearer/authenticator.js';
import { BearerError } from '../../src/bearer/bearer-error.js';
import { requireScopes } from '../../src/bearer/guards.js';
import { ConfigurationError, TokenValidationError } from '../../src/errors.js';
import type { Logger } from '../../src/logger.js';
import { createTokenValidator } from '../../src/validation/index.js';

const issuer = secretIssuer('core');
const other = secretIssuer('other');

function request(authorization?: string) {
  return { method: 'GET', url: '/', headers: authorization === undefined ? {} : { authorization } };
}

async function refusal(promise: Promise<unknown>): Promise<BearerError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof BearerError, `expected a BearerError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a refusal');
}

function recordingLogger(): Logger & { entries: { level: string; obj: object; msg?: string }[] } {
  const entries: { level: string; obj: object; msg?: string }[] = [];
  const at = (level: string) => (obj: object, msg?: string) => {
    entries.push({ level, obj, msg });
  };
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

describe('authenticateBearer with a real validator', () => {
  const validator = createTokenValidator(issuer.options);

  test('a valid token resolves with its claims and scopes', async () => {
    const auth = await authenticateBearer(
      request(`Bearer ${await issuer.sign({ scope: 'read write' })}`),
      validator,
    );
    assert.equal(auth?.claims.iss, issuer.issuer);
    assert.deepEqual(auth?.scopes, ['read', 'write']);
  });

  test('no credentials → 401 token_missing; optional mode → undefined', async () => {
    const error = await refusal(authenticateBearer(request(), validator, { realm: 'api' }));
    assert.equal(error.code, 'token_missing');
    assert.equal(error.headers['www-authenticate'], 'Bearer realm="api"');
    assert.equal(await authenticateBearer(request(), validator, { optional: true }), undefined);
  });

  test('optional mode does not let a bad token through', async () => {
    const forged = await other.sign();
    const error = await refusal(
      authenticateBearer(request(`Bearer ${forged}`), validator, { optional: true }),
    );
    assert.equal(error.code, 'invalid_token');
    assert.ok(error.cause instanceof TokenValidationError);
  });

  test('refusals are logged at debug with codes only, never the token', async () => {
    const logger = recordingLogger();
    const forged = await other.sign();
    await refusal(authenticateBearer(request(`Bearer ${forged}`), validator, { logger }));
    await refusal(authenticateBearer(request('Bearer a b'), validator, { logger }));
    assert.deepEqual(
      logger.entries.map((e) => [e.level, (e.obj as { code: string }).code]),
      [
        ['debug', 'invalid_token'],
        ['debug', 'invalid_request'],
      ],
    );
    assert.ok(!JSON.stringify(logger.entries).includes(forged.slice(-20)));
  });
});

describe('a malformed Bearer token is 400 invalid_request whatever would have looked at it first', () => {
  // The JWT validator proves b64token syntax for the tokens it accepts, so the syntax check runs on refusals;
  // these are the orders in which a refusal can come, each still answered as a malformed request.
  const malformed = ['a%b.c.d', 'x y', 'eyJ.e30.sig!', '=abc'];
  const cases: [string, Parameters<typeof createBearerAuthenticator>[0], Record<string, string>][] = [
    ['the validator refuses it', { ...issuer.options }, {}],
    ["DPoP mode 'required' refuses any Bearer token", { ...issuer.options, dpop: { mode: 'required' } }, {}],
    ['a DPoP header comes with the Bearer scheme', { ...issuer.options }, { dpop: 'x.y.z' }],
    ['query tokens are also accepted', { ...issuer.options, allowQueryToken: true }, {}],
  ];
  for (const [name, options, extra] of cases) {
    test(name, async () => {
      const authenticator = createBearerAuthenticator(options);
      try {
        for (const token of malformed) {
          const sent = { method: 'GET', url: '/', headers: { authorization: `Bearer ${token}`, ...extra } };
          const error = await refusal(authenticator.authenticate(sent));
          assert.equal(error.status, 400, token);
          assert.equal(error.code, 'invalid_request', token);
          assert.match(error.description, /not a valid Bearer credential/, token);
        }
        // Valid b64token, not base64url: a token the validator refuses, so 401.
        const sent = request('Bearer a+b/c.d.e');
        const error = await refusal(authenticator.authenticate(sent));
        assert.equal(error.status, 401);
      } finally {
        await authenticator.close();
      }
    });
  }
});

describe('createBearerAuthenticator', () => {
  test('refuses options it cannot honour, when built', () => {
    assert.throws(
      () => createBearerAuthenticator({ ...issuer.options, realm: 'a\r\nb' }),
      ConfigurationError,
    );
    assert.throws(() => createBearerAuthenticator({ ...issuer.options, retryAfter: -1 }), ConfigurationError);
    assert.throws(
      () => createBearerAuthenticator({ ...issuer.options, audience: undefined as unknown as string }),
      ConfigurationError,
    );
  });

  test('authorize authenticates when needed and answers in the realm', async () => {
    const authenticator = createBearerAuthenticator({ ...issuer.options, realm: 'api' });
    const guard = requireScopes('write');
    const ok = await authenticator.authorize(
      guard,
      request(`Bearer ${await issuer.sign({ scope: 'write' })}`),
      undefined,
    );
    assert.deepEqual(ok.scopes, ['write']);
    const refused = await refusal(
      authenticator.authorize(guard, request(`Bearer ${await issuer.sign({ scope: 'read' })}`), undefined),
    );
    assert.equal(refused.status, 403);
    assert.match(
      refused.headers['www-authenticate'] ?? '',
      /^Bearer realm="api", error="insufficient_scope"/,
    );
    await authenticator.close();
  });

  test('authorizeBearer without an authenticator decides from the token alone', async () => {
    const missing = await refusal(authorizeBearer(requireScopes('read'), undefined, request(), undefined));
    assert.equal(missing.status, 401);
  });

  test('closes a validator it built, never one it was given', async () => {
    const given = createTokenValidator(issuer.options);
    const borrowed = createBearerAuthenticator({ validator: given });
    await borrowed.close();
    assert.ok(await given.validate(await issuer.sign({ jti: 'still-open' })));
    const owned = createBearerAuthenticator(issuer.options);
    await owned.close();
    await assert.rejects(owned.validator.validate(await issuer.sign({ jti: 'closed' })));
    await given.close();
  });
});
