/**
 * An issuer is compared character for character: a token's `iss` that a URL parser would rewrite is refused
 * before anything is fetched, the discovered document must name exactly the token's `iss`, and a slip of one
 * trailing slash is refused with an error that shows the fix. Against a real two-tenant provider on loopback.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DiscoveryKeySource } from '../../src/validation/discovery-key-source.js';
import { createTokenValidator } from '../../src/validation/index.js';
import { issuerFormProblem } from '../../src/validation/issuer-form.js';
import type { TokenValidatorOptions } from '../../src/validation/options.js';
import type { TokenValidator } from '../../src/validation/types.js';
import { recordingLogger } from '../token-management/recording-logger.js';
import { rejectsWith } from './helpers.js';
import { startTenantProvider, TENANT_AUDIENCE, type TenantProvider } from './tenant-provider.js';

let idp: TenantProvider;
const validators: TokenValidator[] = [];

function validator(options: Partial<TokenValidatorOptions>): TokenValidator {
  const v = createTokenValidator({
    issuer: (iss) => iss.startsWith(idp.issuer('good')),
    audience: TENANT_AUDIENCE,
    algorithms: ['ES256'],
    httpClient: idp.httpClient,
    ...options,
  });
  validators.push(v);
  return v;
}

before(async () => {
  idp = await startTenantProvider();
  idp.addTenant('good');
  idp.addTenant('evil');
  idp.addTenant('slash', { issuer: `${idp.issuer('slash')}/` });
});

after(async () => {
  await Promise.all(validators.map((v) => v.close()));
  await idp.close();
});

describe('tenant confusion through an iss that discovery would rewrite', () => {
  const disguises = [
    '/tenants/good/../evil',
    '/tenants/good/./../evil',
    '/tenants/good/%2e%2e/evil',
    '/tenants/good/%2E%2E/evil',
    '/tenants/good/.%2e/evil',
    '/tenants/good\\..\\evil',
    '/tenants/good/..\\evil',
  ];

  for (const path of disguises) {
    test(`a token signed by tenant evil with iss ${path} is refused before any request`, async () => {
      const v = validator({});
      const iss = `${idp.base}${path}`;
      const before = idp.requests.length;
      const error = await rejectsWith(v.validate(idp.token('evil', { iss })), 'issuer_invalid');
      assert.match(error.message, /^issuer not accepted: iss /);
      assert.equal(idp.requests.length, before, 'nothing was fetched for a non-normal iss');
    });
  }

  test("the genuine good tenant's token passes; evil's own token fails the predicate", async () => {
    const v = validator({});
    const result = await v.validate(idp.token('good'));
    assert.equal(result.claims.iss, idp.issuer('good'));
    await rejectsWith(v.validate(idp.token('evil')), 'issuer_invalid');
  });

  test("an iss naming a well-known URL does not borrow its tenant's keys: the document must name the iss exactly", async () => {
    // In normal form, so it reaches discovery; discovery reads good's document, whose issuer is not this iss.
    const v = validator({});
    const iss = `${idp.issuer('good')}/.well-known/openid-configuration`;
    const error = await rejectsWith(v.validate(idp.token('good', { iss })), 'keys_unavailable');
    assert.match(error.message, /not the token's issuer/);
  });

  test('DiscoveryKeySource for issuer X refuses a document whose issuer is not X', async () => {
    // The discovery policy ignores one trailing slash; the key source for an exact issuer does not.
    const loose = new DiscoveryKeySource(idp.issuer('slash'), {
      logger: recordingLogger(),
      httpClient: idp.httpClient,
    });
    const exact = new DiscoveryKeySource(idp.issuer('slash'), {
      logger: recordingLogger(),
      httpClient: idp.httpClient,
      issuer: idp.issuer('slash'),
    });
    try {
      assert.equal((await loose.getKeys(undefined)).length, 1);
      await rejectsWith(exact.getKeys(undefined), 'keys_unavailable');
    } finally {
      await Promise.all([loose.close(), exact.close()]);
    }
  });
});

describe('an issuer that differs only by a trailing slash is refused with the fix in the message', () => {
  test("token iss 'x/' against configured 'x': issuer_invalid, the message names the issuer to configure, logged once", async () => {
    const logger = recordingLogger();
    const configured = idp.issuer('good');
    const v = validator({ issuer: configured, logger });
    const tokens = [0, 1, 2].map(() => idp.token('good', { iss: `${configured}/` }));
    for (const t of tokens) {
      const error = await rejectsWith(v.validate(t), 'issuer_invalid');
      assert.equal(
        error.message,
        `token issuer (configured '${configured}') differs only by a trailing slash: configure issuer '${configured}/'`,
      );
    }
    const lines = logger.lines.filter((l) => l.msg?.includes('differs only by a trailing slash'));
    assert.equal(lines.length, 1, 'one log line, not one per request');
    assert.match(lines[0]!.msg!, new RegExp(`configure issuer '${configured}/'`));
    for (const t of tokens) assert.ok(!logger.text().includes(t), 'no token in the log');
  });

  test('the reverse slip (configured with a slash, token without) says so too', async () => {
    const configured = `${idp.issuer('good')}/`;
    const v = validator({ issuer: configured });
    const error = await rejectsWith(v.validate(idp.token('good')), 'issuer_invalid');
    assert.match(error.message, new RegExp(`configure issuer '${idp.issuer('good')}'$`));
  });

  test('a discovery document whose issuer differs only by a trailing slash: the error and log name the issuer to configure', async () => {
    const logger = recordingLogger();
    const v = validator({ issuer: idp.issuer('slash'), logger });
    const token = idp.token('slash');
    const error = await rejectsWith(v.validate(token), 'keys_unavailable');
    const fix = `configure issuer '${idp.issuer('slash')}/'`;
    assert.match(error.message, /differs only by a trailing slash/);
    assert.ok(error.message.endsWith(fix), error.message);
    assert.ok(logger.text().includes(fix), 'the log says so');
    assert.ok(!logger.text().includes(token), 'no token in the log');
  });

  test('any other difference keeps the plain message', async () => {
    const v = validator({ issuer: idp.issuer('good') });
    const error = await rejectsWith(v.validate(idp.token('evil')), 'issuer_invalid');
    assert.equal(error.message, 'issuer not accepted');
  });
});

describe('issuer normal form', () => {
  test('URLs a parser would rewrite, or that carry more than an issuer, are not in normal form', () => {
    const refused = [
      'https://host/a/../b',
      'https://host/a/./b',
      'https://host/a/%2e%2e/b',
      'https://host/a/%2Fb',
      'https://host/%41bc',
      'https://host/a\\b',
      'https://user:pw@host/a',
      'https://@host/a',
      'https://host/a?x=1',
      'https://host/a?',
      'https://host/a#f',
      'https://host/a#',
      'HTTPS://host/a',
      'https://HOST/a',
      'https://host:443/a',
      'https://host:/a',
      'ftp://host/a',
      'https://host/a b',
      ' https://host/a',
      'host/a',
    ];
    for (const iss of refused) assert.notEqual(issuerFormProblem(iss), undefined, iss);
  });

  test('ordinary issuers are in normal form', () => {
    const accepted = [
      'https://accounts.google.com',
      'https://tenant.auth0.com/',
      'https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0',
      'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf',
      'http://127.0.0.1:8080/realms/demo',
      'https://host:8443/a%20b',
    ];
    for (const iss of accepted) assert.equal(issuerFormProblem(iss), undefined, iss);
  });

  test('a configured issuer that is not in normal form is a ConfigurationError under discovery', () => {
    assert.throws(
      () => createTokenValidator({ issuer: 'https://host/tenants/a/../b', audience: TENANT_AUDIENCE }),
      { name: 'ConfigurationError', message: /not in normal form.*write it exactly as the iss/ },
    );
  });
});
