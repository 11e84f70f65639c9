/**
 * Real providers' shapes, on loopback: two ports stand for two hosts. Google publishes its keys on
 * www.googleapis.com, not on accounts.google.com; Cognito's token and authorization endpoints live on the
 * user pool's own domain, not on cognito-idp. Token validation must work with both out of the box, and a
 * user who asks for strict endpoint validation gets a refusal reported once, as a configuration problem.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { BearerError, createBearerAuthenticator } from '../../src/bearer/index.js';
import { createHttpClient } from '../../src/http/index.js';
import { createTokenValidator, type TokenValidatorOptions } from '../../src/validation/index.js';
import { completeDocument } from '../discovery/documents.js';
import { type LocalServer, sendJson, startServer } from '../http/local-server.js';
import { type LogLine, recordingLogger } from '../token-management/recording-logger.js';
import { rejectsWith, signJws, testKey } from './helpers.js';

const AUDIENCE = 'urn:test:provider-shapes';
const http = createHttpClient({ env: {}, retryCount: 0, timeoutMs: 5_000 });
const servers: LocalServer[] = [];
after(async () => {
  await Promise.all([http.close(), ...servers.map((s) => s.close())]);
});

const key = testKey('RS256', 'provider-shape-key');

async function serve(route: (path: string) => Record<string, unknown> | undefined): Promise<LocalServer> {
  const server = await startServer((req, res) => {
    const body = route(req.url ?? '');
    if (body === undefined) return sendJson(res, 404, { error: 'not_found' });
    sendJson(res, 200, body);
  });
  servers.push(server);
  return server;
}

/** Google: the issuer's document names a key set on another host (www.googleapis.com). */
async function googleShaped(): Promise<{ issuer: string; keys: LocalServer; accounts: LocalServer }> {
  const keys = await serve((path) => (path === '/oauth2/v3/certs' ? { keys: [key.jwk] } : undefined));
  const accounts = await serve((path) =>
    path === '/.well-known/openid-configuration'
      ? completeDocument(accounts.url, {
          jwks_uri: `${keys.url}/oauth2/v3/certs`,
          userinfo_endpoint: `${keys.url}/oauth2/v3/userinfo`,
        })
      : undefined,
  );
  return { issuer: accounts.url, keys, accounts };
}

/** Cognito: keys on the issuer's host, token and authorization endpoints on the user pool's domain. */
async function cognitoShaped(): Promise<{ issuer: string }> {
  const domain = await serve(() => undefined);
  const idp = await serve((path) => {
    const issuer = `${idp.url}/us-east-1_pool`;
    if (path === '/us-east-1_pool/.well-known/jwks.json') return { keys: [key.jwk] };
    if (path !== '/us-east-1_pool/.well-known/openid-configuration') return undefined;
    return completeDocument(issuer, {
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      authorization_endpoint: `${domain.url}/oauth2/authorize`,
      token_endpoint: `${domain.url}/oauth2/token`,
      userinfo_endpoint: `${domain.url}/oauth2/userInfo`,
    });
  });
  return { issuer: `${idp.url}/us-east-1_pool` };
}

function tokenFor(issuer: string): string {
  const now = Math.floor(Date.now() / 1000);
  return signJws(
    { alg: 'RS256', typ: 'at+jwt', kid: key.kid },
    { iss: issuer, aud: AUDIENCE, sub: 'user-1', iat: now, exp: now + 300, jti: `j-${Math.random()}` },
    key.privateKey,
    'RS256',
  );
}

/** A validator for `issuer` through `http`, logging into a fresh recording logger. */
function validatorFor(issuer: string, extra: Partial<TokenValidatorOptions> = {}) {
  const log = recordingLogger();
  const validator = createTokenValidator({
    issuer,
    audience: AUDIENCE,
    httpClient: http,
    logger: log,
    ...extra,
  });
  const at = (level: LogLine['level']) => log.lines.filter((line) => line.level === level);
  return { validator, at };
}

describe('provider shapes: validation trusts the jwks_uri the issuer names, checks only what it uses', () => {
  test('Google-shaped (jwks_uri on another host): a genuine token validates', async () => {
    const { issuer, keys } = await googleShaped();
    const { validator, at } = validatorFor(issuer);
    assert.equal((await validator.validate(tokenFor(issuer))).claims.iss, issuer);
    assert.equal(keys.count, 1);
    assert.deepEqual([...at('error'), ...at('warn')], []);
    await validator.close();
  });

  test('Cognito-shaped (token endpoint on the user pool domain): a genuine token validates', async () => {
    const { issuer } = await cognitoShaped();
    const { validator, at } = validatorFor(issuer);
    assert.equal((await validator.validate(tokenFor(issuer))).claims.iss, issuer);
    assert.deepEqual([...at('error'), ...at('warn')], []);
    // Even strict endpoint validation does not look at endpoints validation never uses.
    const strict = validatorFor(issuer, { discovery: { policy: { validateEndpoints: true } } }).validator;
    assert.equal((await strict.validate(tokenFor(issuer))).claims.iss, issuer);
    await Promise.all([validator.close(), strict.close()]);
  });

  test('strict endpoint validation requested: refused as keys_unavailable, one error line naming the option', async () => {
    const { issuer, keys, accounts } = await googleShaped();
    const { validator, at } = validatorFor(issuer, {
      discovery: { policy: { validateEndpoints: true }, failureBackoffMs: 1 },
    });
    for (let i = 0; i < 20; i++) {
      const error = await rejectsWith(validator.validate(tokenFor(issuer)), 'keys_unavailable');
      assert.match(error.message, /jwks_uri/);
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
    const errors = at('error');
    assert.equal(errors.length, 1, 'exactly one error line across 20 requests and several refetches');
    const logged = JSON.stringify(errors[0]);
    assert.match(logged, /validateEndpoints/);
    assert.match(logged, /additionalEndpointBaseAddresses/);
    assert.deepEqual(at('warn'), [], 'a configuration problem is not reported as an outage');
    assert.equal(keys.count, 0, 'the refused key set is never fetched');
    assert.ok(accounts.count > 1, `discovery was refetched (${accounts.count} times), and refused each time`);
    await validator.close();
  });

  test('strict endpoint validation through the bearer authenticator (every adapter): 503s, still one error line and no warnings', async () => {
    const { issuer } = await googleShaped();
    const log = recordingLogger();
    const authenticator = createBearerAuthenticator({
      issuer,
      audience: AUDIENCE,
      httpClient: http,
      logger: log,
      discovery: { policy: { validateEndpoints: true }, failureBackoffMs: 1 },
    });
    const token = tokenFor(issuer);
    for (let i = 0; i < 10; i++) {
      const refusal = await authenticator
        .authenticate({ method: 'GET', url: '/', headers: { authorization: `Bearer ${token}` } })
        .then(
          () => assert.fail('a refused key set cannot authenticate'),
          (error: unknown) => error,
        );
      assert.ok(refusal instanceof BearerError);
      assert.equal(refusal.status, 503);
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
    assert.equal(log.lines.filter((line) => line.level === 'error').length, 1);
    assert.deepEqual(
      log.lines.filter((line) => line.level === 'warn'),
      [],
      'a policy refusal is a configuration problem, not a warning per request',
    );
    await authenticator.close();
  });

  test('the allow-listed key host passes strict validation', async () => {
    const { issuer, keys } = await googleShaped();
    const { validator } = validatorFor(issuer, {
      discovery: {
        policy: { validateEndpoints: true, additionalEndpointBaseAddresses: [`${keys.url}/oauth2`] },
      },
    });
    assert.equal((await validator.validate(tokenFor(issuer))).claims.iss, issuer);
    await validator.close();
  });

  test('a jwks_uri over http on a non-loopback host is still refused (the document does not lower the scheme)', async () => {
    const accounts = await serve((path) =>
      path === '/.well-known/openid-configuration'
        ? completeDocument(accounts.url, { jwks_uri: 'http://keys.example.com/certs' })
        : undefined,
    );
    const { validator, at } = validatorFor(accounts.url);
    const error = await rejectsWith(validator.validate(tokenFor(accounts.url)), 'keys_unavailable');
    assert.match(error.message, /jwks_uri: https is required/);
    assert.equal(at('error').length, 1);
    assert.match(JSON.stringify(at('error')[0]), /requireHttps/);
    await validator.close();
  });
});
