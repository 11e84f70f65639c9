/**
 * DPoP-bound OPAQUE tokens (RFC 9449 §6.2): oidc-provider issues an opaque client-credentials token bound to
 * our key, and its introspection answer carries `cnf.jkt` and `token_type: DPoP`. Our resource server,
 * validating by introspection only (`tokens: 'introspection'`), must hold the token to that key exactly as it
 * holds a JWT's `cnf`: through `createBearerAuthenticator` and through every adapter over real HTTP, and again
 * when the verdict comes from the introspection cache (in memory, or another replica's answer in Redis).
 * Introspections are counted at the provider. (mTLS: sender-bound-introspection-mtls.test.ts.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  type BearerAuthenticator,
  type BearerAuthOptions,
  BearerError,
  type BearerRequest,
  ClientCredentialsTokenManager,
  computeAth,
  createBearerAuthenticator,
  createDPoPProof,
  createHttpClient,
  type DPoPKey,
  generateDPoPKey,
  type HttpClient,
  type IntrospectionOptions,
  jwkThumbprint,
} from '@identity-model/core';
import { RedisCacheStore } from '@identity-model/redis';
import { Redis } from 'ioredis';
import { redisUrl, uniquePrefix } from '../packages/redis/test/support/redis-server.js';
import { FRAMEWORKS, type RunningApp, startApp } from './security/support/apps.js';
import { OPAQUE_AUDIENCE, startIdp, type TestIdp } from './support/idp.js';

const ALGS = 'algs="ES256 ES384 PS256 RS256 EdDSA"';
const JKT_MISMATCH = 'The DPoP proof key is not the key the token is bound to';
const AS_BEARER = 'The access token is DPoP-bound: send it with the DPoP scheme and a proof';
const HOST = 'api.example:8443';
const PATH = '/orders';

/** A BearerRequest as the adapters build it: full request-target, raw headers, the socket. */
async function coreRequest(token: string, key?: DPoPKey, scheme = key ? 'DPoP' : 'Bearer') {
  const headers: Record<string, string> = { host: HOST, authorization: `${scheme} ${token}` };
  const rawHeaders = ['Host', HOST, 'Authorization', headers.authorization as string];
  if (key) {
    headers.dpop = await createDPoPProof({
      key,
      htm: 'GET',
      htu: `http://${HOST}${PATH}`,
      ath: computeAth(token),
    });
    rawHeaders.push('DPoP', headers.dpop);
  }
  const request: BearerRequest = {
    method: 'GET',
    url: `${PATH}?page=2`,
    headers,
    rawHeaders,
    socket: { remoteAddress: '127.0.0.1', encrypted: false },
  };
  return request;
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

describe('DPoP-bound opaque tokens validated by introspection (oidc-provider)', () => {
  let idp: TestIdp;
  let http: HttpClient;
  let manager: ClientCredentialsTokenManager;
  let token: string;
  const key = generateDPoPKey('ES256');
  const jkt = jwkThumbprint(key.publicJwk);
  const otherKey = generateDPoPKey('ES256');
  const options = (introspection: Partial<IntrospectionOptions> = {}): BearerAuthOptions => ({
    issuer: idp.issuer,
    audience: OPAQUE_AUDIENCE,
    tokens: 'introspection',
    introspection: {
      clientId: idp.clients.basic.clientId,
      clientSecret: idp.clients.basic.clientSecret,
      ...introspection,
    },
  });

  before(async () => {
    idp = await startIdp();
    http = createHttpClient({ retryCount: 0 });
    manager = new ClientCredentialsTokenManager({
      tokenEndpoint: `${idp.issuer}/token`,
      clientId: idp.clients.basic.clientId,
      clientSecret: idp.clients.basic.clientSecret,
      scope: 'read',
      resource: OPAQUE_AUDIENCE,
      httpClient: http,
      dpop: { key },
    });
    const issued = await manager.getToken();
    assert.equal(issued.tokenType, 'DPoP');
    token = issued.accessToken;
    assert.notEqual(token.split('.').length, 3, 'the provider issued a JWT, not an opaque token');
  });
  after(async () => {
    await manager.close();
    await Promise.all([http.close(), idp.close()]);
  });

  describe('createBearerAuthenticator', () => {
    let auth: BearerAuthenticator;
    before(() => {
      auth = createBearerAuthenticator({ ...options(), realm: 'api' });
    });
    after(() => auth.close());

    test('a proof by the bound key → accepted, binding dpop with its jkt, cnf from the introspection answer', async () => {
      idp.resetCounts();
      const result = await auth.authenticate(await coreRequest(token, key));
      assert.deepEqual(result?.binding, { method: 'dpop', jkt });
      assert.deepEqual(result?.claims.cnf, { jkt });
      assert.equal(result?.claims.token_type, 'DPoP');
      assert.deepEqual(result?.scopes, ['read']);
      assert.equal(idp.counts.introspection, 1);
    });

    test('jkt mismatch: a proof by another key → 401 invalid_dpop_proof (dpop_jkt_mismatch)', async () => {
      const error = await refusal(auth.authenticate(await coreRequest(token, otherKey)));
      assert.equal(error.status, 401);
      assert.equal(error.code, 'invalid_dpop_proof');
      assert.equal((error.cause as { code?: string }).code, 'dpop_jkt_mismatch');
      assert.equal(
        error.headers['www-authenticate'],
        `Bearer realm="api", DPoP realm="api", error="invalid_dpop_proof", error_description="${JKT_MISMATCH}", ${ALGS}`,
      );
    });

    test('bound token downgraded to Bearer → 401 invalid_token (dpop_bound_token_as_bearer)', async () => {
      const error = await refusal(auth.authenticate(await coreRequest(token)));
      assert.equal(error.status, 401);
      assert.equal(error.code, 'invalid_token');
      assert.equal((error.cause as { code?: string }).code, 'dpop_bound_token_as_bearer');
      assert.equal(
        error.headers['www-authenticate'],
        `Bearer realm="api", error="invalid_token", error_description="${AS_BEARER}", DPoP realm="api", ${ALGS}`,
      );
    });

    test('introspection cache hit: every binding check still runs on the cached token', async () => {
      await auth.authenticate(await coreRequest(token, key));
      idp.resetCounts();
      const wrongKey = await refusal(auth.authenticate(await coreRequest(token, otherKey)));
      assert.equal((wrongKey.cause as { code?: string }).code, 'dpop_jkt_mismatch');
      const downgraded = await refusal(auth.authenticate(await coreRequest(token)));
      assert.equal((downgraded.cause as { code?: string }).code, 'dpop_bound_token_as_bearer');
      const replayed = await coreRequest(token, key);
      assert.equal((await auth.authenticate(replayed))?.binding?.method, 'dpop');
      const again = await refusal(auth.authenticate(replayed));
      assert.equal((again.cause as { code?: string }).code, 'dpop_replayed');
      assert.deepEqual((await auth.authenticate(await coreRequest(token, key)))?.binding, {
        method: 'dpop',
        jkt,
      });
      assert.equal(idp.counts.introspection, 0, 'the cached verdict was not used');
    });
  });

  test("another replica's answer from Redis: the binding is checked on it (no introspection of its own)", async () => {
    const redis = new Redis(await redisUrl());
    const prefix = uniquePrefix('dpop-introspection');
    const replica = () =>
      createBearerAuthenticator(options({ store: new RedisCacheStore(redis, { prefix }) }));
    const [a, b] = [replica(), replica()];
    try {
      idp.resetCounts();
      assert.equal((await a.authenticate(await coreRequest(token, key)))?.binding?.method, 'dpop');
      assert.equal(idp.counts.introspection, 1);
      const error = await refusal(b.authenticate(await coreRequest(token, otherKey)));
      assert.equal((error.cause as { code?: string }).code, 'dpop_jkt_mismatch');
      assert.deepEqual((await b.authenticate(await coreRequest(token, key)))?.binding, {
        method: 'dpop',
        jkt,
      });
      assert.equal(idp.counts.introspection, 1, 'replica b introspected instead of reading the store');
    } finally {
      await Promise.all([a.close(), b.close()]);
      redis.disconnect();
    }
  });

  for (const framework of FRAMEWORKS) {
    describe(`${framework} over HTTP`, () => {
      let app: RunningApp;
      before(async () => {
        app = await startApp(framework, options());
      });
      after(() => app.close());

      const call = async (proofKey?: DPoPKey, proof?: string) => {
        const url = `${app.url}/api?page=1`;
        const headers: Record<string, string> = { authorization: `${proofKey ? 'DPoP' : 'Bearer'} ${token}` };
        if (proofKey) {
          headers.dpop =
            proof ?? (await createDPoPProof({ key: proofKey, htm: 'GET', htu: url, ath: computeAth(token) }));
        }
        const res = await fetch(url, { headers });
        const text = await res.text();
        return {
          status: res.status,
          challenge: res.headers.get('www-authenticate'),
          body: res.status === 200 ? JSON.parse(text) : text,
          proof: headers.dpop,
        };
      };

      test('a proof by the bound key → 200, auth.binding dpop with its jkt', async () => {
        const res = await call(key);
        assert.equal(res.status, 200, String(res.body));
        assert.deepEqual(res.body.binding, { method: 'dpop', jkt });
        assert.deepEqual(res.body.scopes, ['read']);
      });

      test('jkt mismatch: a proof by another key → 401 DPoP error="invalid_dpop_proof"', async () => {
        const res = await call(otherKey);
        assert.equal(res.status, 401);
        assert.equal(
          res.challenge,
          `Bearer, DPoP error="invalid_dpop_proof", error_description="${JKT_MISMATCH}", ${ALGS}`,
        );
      });

      test('bound token downgraded to Bearer → 401 Bearer error="invalid_token"', async () => {
        const res = await call();
        assert.equal(res.status, 401);
        assert.equal(
          res.challenge,
          `Bearer error="invalid_token", error_description="${AS_BEARER}", DPoP ${ALGS}`,
        );
      });

      test('introspection cache hit: a wrong proof on the cached token is still refused', async () => {
        const first = await call(key);
        assert.equal(first.status, 200);
        idp.resetCounts();
        const wrongKey = await call(otherKey);
        assert.equal(wrongKey.status, 401);
        assert.match(wrongKey.challenge ?? '', /DPoP error="invalid_dpop_proof"/);
        const replayed = await call(key, first.proof);
        assert.equal(replayed.status, 401);
        assert.match(replayed.challenge ?? '', /error_description="The DPoP proof was already used"/);
        assert.equal((await call()).status, 401);
        assert.equal((await call(key)).status, 200);
        assert.equal(idp.counts.introspection, 0, 'the cached verdict was not used');
      });
    });
  }
});
