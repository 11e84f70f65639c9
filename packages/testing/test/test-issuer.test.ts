import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ClientCredentialsTokenRequest,
  ConfigurationError,
  createHttpClient,
  createTokenValidator,
  DiscoveryDocumentRequest,
  DiscoveryPolicy,
  getDiscoveryDocument,
  requestClientCredentialsToken,
  TokenValidationError,
  type TokenValidator,
  type TokenValidatorOptions,
} from '@identity-model/core';
import { createTestIssuer, type TestIssuer, type TestIssuerAlgorithm } from '../src/index.js';

const ALGORITHMS: TestIssuerAlgorithm[] = ['RS256', 'PS256', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const http = createHttpClient({ env: {}, retryCount: 0, timeoutMs: 5_000 });
const validators: TokenValidator[] = [];
let issuer: TestIssuer;

before(async () => {
  issuer = await createTestIssuer({ algorithms: ALGORITHMS });
});
after(async () => {
  await Promise.all(validators.map((v) => v.close()));
  await issuer.close();
  await http.close();
});

/** A validator against `on`, retrying at once after a failure (the defaults wait 5 s). */
function validatorFor(on: TestIssuer, options: Partial<TokenValidatorOptions> = {}): TokenValidator {
  const validator = createTokenValidator({
    issuer: on.issuer,
    audience: 'test-api',
    httpClient: http,
    discovery: { failureBackoffMs: 0 },
    keySet: { failureBackoffMs: 0 },
    ...options,
  });
  validators.push(validator);
  return validator;
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => assert.fail('the token was accepted'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof TokenValidationError, String(err));
  return err.code;
}

describe('createTestIssuer', () => {
  test('its discovery document passes our strictest policy (OIDC Discovery §3 metadata, endpoints on its origin)', async () => {
    const policy = new DiscoveryPolicy({
      requireMetadata: true,
      validateEndpoints: true,
      requireKeySet: true,
    });
    const response = await getDiscoveryDocument(
      new DiscoveryDocumentRequest({ address: issuer.issuer, policy }),
      http,
    );
    assert.equal(response.isSuccessful, true, response.error);
    assert.equal(response.raw?.issuer, issuer.issuer);
    assert.equal(response.raw?.jwks_uri, issuer.jwksUri);
    assert.equal(response.raw?.token_endpoint, issuer.tokenEndpoint);
    assert.equal(response.raw?.introspection_endpoint, issuer.introspectionEndpoint);
    assert.match(issuer.issuer, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  for (const alg of ALGORITHMS) {
    test(`an ${alg} token validates with createTokenValidator in strict RFC 9068 mode`, async () => {
      const validator = validatorFor(issuer, { strict: true, algorithms: [alg] });
      const token = issuer.createToken({ alg, sub: 'alice', scope: ['read', 'write'] });
      const result = await validator.validate(token);
      assert.equal(result.claims.sub, 'alice');
      assert.equal(result.claims.client_id, 'test-client');
      assert.deepEqual(result.scopes, ['read', 'write']);
      assert.equal(result.header.typ, 'at+jwt');
    });
  }

  test('claims and header choices make the failing tokens a test needs', async () => {
    const validator = validatorFor(issuer, { cache: false });
    const now = Math.floor(Date.now() / 1000);
    assert.equal(await refusal(validator.validate(issuer.createToken({ exp: now - 60 }))), 'token_expired');
    assert.equal(
      await refusal(validator.validate(issuer.createToken({ nbf: now + 600 }))),
      'token_not_yet_valid',
    );
    assert.equal(
      await refusal(validator.validate(issuer.createToken({ aud: 'other-api' }))),
      'audience_invalid',
    );
    assert.equal(
      await refusal(validator.validate(issuer.createToken({ header: { alg: 'none' } }))),
      'alg_none',
    );
    assert.equal(await refusal(validator.validate(issuer.createToken({ typ: 'JWT+weird' }))), 'typ_invalid');
    const noSub = issuer.createToken({ claims: { sub: undefined, tenant: 't1' } });
    const strict = validatorFor(issuer, { strict: true, cache: false });
    assert.equal(await refusal(strict.validate(noSub)), 'claim_missing');
    const extra = await validator.validate(issuer.createToken({ claims: { tenant: 't1' } }));
    assert.equal(extra.claims.tenant, 't1');
  });

  test('rotateKeys: a token signed with the new key validates after exactly one JWKS refetch', async () => {
    const own = await createTestIssuer();
    try {
      const validator = validatorFor(own);
      await validator.validate(own.createToken());
      own.resetRequests();
      own.rotateKeys();
      const rotated = own.createToken();
      await validator.validate(rotated);
      assert.equal(own.requests.jwks, 1);
      assert.equal(own.requests.discovery, 0);
      await validator.validate(own.createToken());
      assert.equal(own.requests.jwks, 1, 'the new key is kept: no second fetch');
    } finally {
      await own.close();
    }
  });

  test('rotateKeys({ dropOld: true }) takes the old key out of the JWKS', async () => {
    const own = await createTestIssuer({ algorithms: ['ES256'] });
    try {
      const before = (await (await fetch(own.jwksUri)).json()) as { keys: { kid: string }[] };
      own.rotateKeys();
      const kept = (await (await fetch(own.jwksUri)).json()) as { keys: { kid: string }[] };
      assert.equal(kept.keys.length, 2);
      own.rotateKeys({ dropOld: true });
      const dropped = (await (await fetch(own.jwksUri)).json()) as { keys: { kid: string; d?: string }[] };
      assert.equal(dropped.keys.length, 1);
      assert.ok(!before.keys.some((k) => dropped.keys.some((d) => d.kid === k.kid)));
      assert.ok(
        dropped.keys.every((k) => k.d === undefined),
        'a private member is published',
      );
    } finally {
      await own.close();
    }
  });

  for (const mode of ['503', 'refuse'] as const) {
    test(`goDown({ mode: '${mode}' }) makes a cold validator answer keys_unavailable; comeBack recovers`, async () => {
      const own = await createTestIssuer();
      try {
        const validator = validatorFor(own);
        const token = own.createToken();
        await own.goDown({ mode });
        assert.equal(await refusal(validator.validate(token)), 'keys_unavailable');
        if (mode === '503') assert.equal(own.requests.discovery, 1, 'the 503 is counted');
        await own.comeBack();
        const result = await validator.validate(token);
        assert.equal(result.claims.iss, own.issuer);
      } finally {
        await own.close();
      }
    });
  }

  test('requests counts each endpoint; resetRequests starts over', async () => {
    const own = await createTestIssuer();
    try {
      await validatorFor(own).validate(own.createToken());
      const response = await requestClientCredentialsToken(
        new ClientCredentialsTokenRequest({
          address: own.tokenEndpoint,
          clientId: 'test-client',
          clientSecret: 'test-secret',
        }),
        http,
      );
      assert.equal(response.isSuccessful, true, response.error);
      assert.deepEqual(own.requests, { discovery: 1, jwks: 1, token: 1, introspection: 0 });
      own.resetRequests();
      assert.deepEqual(own.requests, { discovery: 0, jwks: 0, token: 0, introspection: 0 });
    } finally {
      await own.close();
    }
  });

  test('the token endpoint issues client-credentials tokens within the client’s scopes, and refuses others', async () => {
    const client = issuer.addClient({
      clientId: 'orders',
      clientSecret: 'a secret+with:odd/chars',
      scope: 'orders:read orders:write',
    });
    const request = (options: Partial<ConstructorParameters<typeof ClientCredentialsTokenRequest>[0]> = {}) =>
      requestClientCredentialsToken(
        new ClientCredentialsTokenRequest({
          address: issuer.tokenEndpoint,
          clientId: client.clientId,
          clientSecret: client.clientSecret,
          ...options,
        }),
        http,
      );
    const granted = await request({ scope: 'orders:read' });
    assert.equal(granted.isSuccessful, true, granted.error);
    const result = await validatorFor(issuer).validate(granted.accessToken!);
    assert.equal(result.claims.client_id, 'orders');
    assert.equal(result.claims.sub, 'orders');
    assert.deepEqual(result.scopes, ['orders:read']);
    assert.equal((await request({ clientAuthentication: 'client_secret_post' })).isSuccessful, true);
    assert.equal((await request({ scope: 'admin' })).error, 'invalid_scope');
    assert.equal((await request({ clientSecret: 'wrong' })).error, 'invalid_client');
    const audience = await request({ resource: 'https://orders.example/' });
    assert.equal(
      (await validatorFor(issuer, { audience: 'https://orders.example/' }).validate(audience.accessToken!))
        .claims.aud,
      'https://orders.example/',
    );
  });

  test('issuerPath puts every endpoint under the path, as Keycloak realms do', async () => {
    const own = await createTestIssuer({ issuerPath: '/realms/test' });
    try {
      assert.match(own.issuer, /\/realms\/test$/);
      assert.ok(own.jwksUri.startsWith(`${own.issuer}/`));
      await validatorFor(own).validate(own.createToken());
    } finally {
      await own.close();
    }
  });

  test('bad options are ConfigurationErrors that say what to change', async () => {
    for (const options of [
      { algorithms: ['HS256'] },
      { algorithms: [] },
      { port: -1 },
      { issuerPath: 'realms/' },
      { accessTokenTtl: 0 },
      { audience: '' },
    ]) {
      await assert.rejects(createTestIssuer(options as never), ConfigurationError, JSON.stringify(options));
    }
    assert.throws(() => issuer.createToken({ alg: 'RS512' }), /list it in createTestIssuer/);
    assert.throws(() => issuer.addClient({ clientId: 'test-client', clientSecret: 'x' }), ConfigurationError);
  });
});
