import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertConfigurationError, withEnvironment } from '../../../../test/adapters/support/environment.js';
import { secretIssuer } from '../../../../test/adapters/support/secret-tokens.js';
import { createBearerAuthenticator } from '../../src/bearer/authenticator.js';
import { BearerError } from '../../src/bearer/bearer-error.js';
import {
  type Environment,
  readEnvironmentAudience,
  readEnvironmentIssuer,
  withEnvironmentOptions,
} from '../../src/bearer/environment-options.js';

const ISSUER = 'https://login.example.com/tenant';
const AUD = 'https://api.example.com';

/** Asserts that `fn` throws a ConfigurationError naming every variable in `names` and none of `secrets`. */
function assertNames(fn: () => unknown, names: string[], secrets: string[] = []): void {
  assert.throws(fn, (error: unknown) => {
    assertConfigurationError(error, names, secrets);
    return true;
  });
}

function request(token?: string) {
  return {
    method: 'GET',
    url: '/',
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  };
}

describe('readEnvironmentIssuer', () => {
  test('OIDC_ISSUER is the exact issuer, trimmed of the newline a secret file ends with', () => {
    assert.deepEqual(readEnvironmentIssuer({ OIDC_ISSUER: `${ISSUER}\n` }), [ISSUER]);
  });

  test('ISSUER_BASE_URL accepts iss with and without one trailing slash (Auth0 tokens carry the slash)', () => {
    assert.deepEqual(readEnvironmentIssuer({ ISSUER_BASE_URL: 'https://tenant.auth0.com' }), [
      'https://tenant.auth0.com',
      'https://tenant.auth0.com/',
    ]);
    assert.deepEqual(readEnvironmentIssuer({ ISSUER_BASE_URL: `${ISSUER}/` }), [ISSUER, `${ISSUER}/`]);
  });

  test('OIDC_ISSUER wins over ISSUER_BASE_URL when they agree; differing values name both', () => {
    assert.deepEqual(readEnvironmentIssuer({ OIDC_ISSUER: `${ISSUER}/`, ISSUER_BASE_URL: ISSUER }), [
      `${ISSUER}/`,
    ]);
    assertNames(
      () => readEnvironmentIssuer({ OIDC_ISSUER: ISSUER, ISSUER_BASE_URL: 'https://other.example.com' }),
      ['OIDC_ISSUER', 'ISSUER_BASE_URL'],
    );
  });

  test('an empty or blank variable counts as unset, so the alias or the missing-issuer error applies', () => {
    assert.equal(readEnvironmentIssuer({}), undefined);
    assert.equal(readEnvironmentIssuer({ OIDC_ISSUER: '', ISSUER_BASE_URL: '  ' }), undefined);
    assert.deepEqual(readEnvironmentIssuer({ OIDC_ISSUER: '', ISSUER_BASE_URL: ISSUER }), [
      ISSUER,
      `${ISSUER}/`,
    ]);
  });

  test('http is refused for a remote issuer (tokens verified with keys fetched in clear)', () => {
    assertNames(() => readEnvironmentIssuer({ OIDC_ISSUER: 'http://login.example.com' }), ['OIDC_ISSUER']);
    assertNames(
      () => readEnvironmentIssuer({ ISSUER_BASE_URL: 'ftp://login.example.com' }),
      ['ISSUER_BASE_URL'],
    );
    assert.deepEqual(readEnvironmentIssuer({ OIDC_ISSUER: 'http://127.0.0.1:8080' }), [
      'http://127.0.0.1:8080',
    ]);
    assert.deepEqual(readEnvironmentIssuer({ OIDC_ISSUER: 'http://idp.internal' }, { requireHttps: false }), [
      'http://idp.internal',
    ]);
  });

  test('an issuer that is not one absolute URL names the variable', () => {
    for (const value of ['login.example.com', '/tenant', `${ISSUER} ${ISSUER}`, 'https://ex\tample.com']) {
      assertNames(() => readEnvironmentIssuer({ OIDC_ISSUER: value }), ['OIDC_ISSUER']);
    }
    for (const value of [`${ISSUER}?tenant=a`, `${ISSUER}#x`, `${ISSUER}?`]) {
      assertNames(() => readEnvironmentIssuer({ OIDC_ISSUER: value }), ['OIDC_ISSUER']);
    }
    assertNames(
      () => readEnvironmentIssuer({ ISSUER_BASE_URL: `${ISSUER}/.well-known/openid-configuration` }),
      ['ISSUER_BASE_URL'],
    );
  });

  test('credentials in an issuer URL are refused without repeating them in the message', () => {
    assertNames(
      () => readEnvironmentIssuer({ OIDC_ISSUER: 'https://admin:hunter2-secret@login.example.com' }),
      ['OIDC_ISSUER'],
      ['hunter2-secret', 'admin'],
    );
  });

  test('an oversized value is refused before it is parsed', () => {
    assertNames(
      () => readEnvironmentIssuer({ OIDC_ISSUER: `https://a.example/${'x'.repeat(5000)}` }),
      ['OIDC_ISSUER'],
    );
  });
});

describe('readEnvironmentAudience', () => {
  test('OIDC_AUDIENCE and AUDIENCE hold one or more audiences separated by whitespace', () => {
    assert.deepEqual(readEnvironmentAudience({ OIDC_AUDIENCE: AUD }), [AUD]);
    assert.deepEqual(readEnvironmentAudience({ AUDIENCE: ` ${AUD}  urn:api:b\n${AUD}` }), [AUD, 'urn:api:b']);
  });

  test('a comma is part of an audience (it is legal in a URI), as express-oauth2-jwt-bearer reads AUDIENCE', () => {
    assert.deepEqual(readEnvironmentAudience({ AUDIENCE: 'urn:api:a,b' }), ['urn:api:a,b']);
  });

  test('both set and differing name both variables; agreeing is fine; blank is unset', () => {
    assert.deepEqual(readEnvironmentAudience({ OIDC_AUDIENCE: `${AUD} urn:b`, AUDIENCE: `urn:b ${AUD}` }), [
      AUD,
      'urn:b',
    ]);
    assertNames(
      () => readEnvironmentAudience({ OIDC_AUDIENCE: AUD, AUDIENCE: 'urn:other' }),
      ['OIDC_AUDIENCE', 'AUDIENCE'],
    );
    assert.equal(readEnvironmentAudience({ OIDC_AUDIENCE: ' ', AUDIENCE: '' }), undefined);
  });
});

describe('withEnvironmentOptions', () => {
  test('missing variables are a ConfigurationError naming what to set', () => {
    assertNames(() => withEnvironmentOptions({}, { OIDC_AUDIENCE: AUD }), ['OIDC_ISSUER', 'ISSUER_BASE_URL']);
    assertNames(() => withEnvironmentOptions({}, { OIDC_ISSUER: ISSUER }), ['OIDC_AUDIENCE', 'AUDIENCE']);
  });

  test('explicit options win, and the variable they replace is not even read', () => {
    const env: Environment = { OIDC_ISSUER: 'not a url', OIDC_AUDIENCE: 'urn:env' };
    const options = withEnvironmentOptions({ issuer: ISSUER, clockTolerance: 1 }, env);
    assert.deepEqual(options, { issuer: ISSUER, audience: ['urn:env'], clockTolerance: 1 });
    assert.equal(withEnvironmentOptions({ issuer: ISSUER, audience: false }, env).audience, false);
  });
});

describe('createBearerAuthenticator from the environment', () => {
  const idp = secretIssuer('env');
  const keys = { secret: idp.secret, algorithms: ['HS256'] };

  test('issuer and audience from the environment validate a real token; a wrong audience is refused', async () => {
    const authenticator = createBearerAuthenticator(keys, {
      OIDC_ISSUER: idp.issuer,
      OIDC_AUDIENCE: idp.audience,
    });
    const auth = await authenticator.authenticate(request(await idp.sign({ scope: 'read' })));
    assert.equal(auth?.claims.sub, 'client-env');
    await assert.rejects(
      authenticator.authenticate(request(await idp.sign({ aud: 'urn:another-api' }))),
      (error: unknown) => error instanceof BearerError && error.status === 401,
    );
    await authenticator.close();
  });

  test('the environment is read once, when built: later changes do not reach requests', async () => {
    const env: Record<string, string | undefined> = { OIDC_ISSUER: idp.issuer, OIDC_AUDIENCE: idp.audience };
    const authenticator = createBearerAuthenticator(keys, env);
    env.OIDC_AUDIENCE = 'urn:another-api';
    assert.ok(await authenticator.authenticate(request(await idp.sign())));
    await assert.rejects(authenticator.authenticate(request(await idp.sign({ aud: 'urn:another-api' }))));
    await authenticator.close();
  });

  test('no options and no variables is a ConfigurationError naming OIDC_ISSUER, not a TypeError', () => {
    assertNames(() => createBearerAuthenticator(undefined, {}), ['OIDC_ISSUER']);
  });

  test('process.env is the default environment', async () => {
    const authenticator = await withEnvironment(
      { OIDC_ISSUER: idp.issuer, OIDC_AUDIENCE: idp.audience },
      () => createBearerAuthenticator(keys),
    );
    assert.ok(await authenticator.authenticate(request(await idp.sign())));
    await authenticator.close();
  });
});
