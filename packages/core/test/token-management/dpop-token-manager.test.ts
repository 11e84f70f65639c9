import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, afterEach, before, describe, test } from 'node:test';
import { EmbeddedJWK, jwtVerify } from 'jose';
import { DPoPClient } from '../../src/dpop/dpop-client.js';
import { ConfigurationError, TokenManagementError } from '../../src/errors.js';
import { createHttpClient } from '../../src/http/index.js';
import type { HttpClient } from '../../src/http/types.js';
import { generateDPoPKey, jwkThumbprint } from '../../src/index.js';
import { AuthorizationCodeTokenRequest } from '../../src/token/grant-requests.js';
import { requestAuthorizationCodeToken } from '../../src/token/request-token.js';
import { ClientCredentialsTokenManager } from '../../src/token-management/client-credentials-token-manager.js';
import type { ClientCredentialsTokenManagerOptions } from '../../src/token-management/manager-options.js';
import { MemoryCacheStore } from '../../src/token-management/memory-cache-store.js';
import { json, type LocalServer, type SeenRequest, startServer } from '../token/local-server.js';

interface Proof {
  jti: string;
  htm: string;
  htu: string;
  nonce?: string;
  jkt: string;
}

/** Verifies a request's proof as an AS does (jose, not our code): signature by the embedded key, typ. */
async function proofOf(req: SeenRequest): Promise<Proof> {
  const header = req.headers.dpop;
  assert.equal(typeof header, 'string', 'the token request carries one DPoP header');
  const { payload, protectedHeader } = await jwtVerify(header as string, EmbeddedJWK, { typ: 'dpop+jwt' });
  return {
    ...(payload as unknown as Omit<Proof, 'jkt'>),
    jkt: jwkThumbprint(protectedHeader.jwk as Record<string, unknown>),
  };
}

describe('ClientCredentialsTokenManager with DPoP', () => {
  let server: LocalServer;
  let http: HttpClient;
  let issued = 0;
  let answer: (req: SeenRequest, res: ServerResponse) => void | Promise<void>;
  const managers: ClientCredentialsTokenManager[] = [];

  const dpopToken = (res: ServerResponse, headers: Record<string, string> = {}) =>
    json(res, 200, { access_token: `dpop-token-${++issued}`, token_type: 'DPoP', expires_in: 300 }, headers);

  before(async () => {
    server = await startServer((req, res) => answer(req, res));
    http = createHttpClient({ retryCount: 0 });
  });
  after(async () => {
    await http.close();
    await server.close();
  });
  afterEach(async () => {
    await Promise.all(managers.splice(0).map((m) => m.close()));
    server.requests.length = 0;
  });

  function manager(
    options: Partial<ClientCredentialsTokenManagerOptions> = {},
  ): ClientCredentialsTokenManager {
    const m = new ClientCredentialsTokenManager({
      tokenEndpoint: server.url,
      clientId: 'svc',
      clientSecret: 'dpop-manager-secret',
      scope: 'read',
      httpClient: http,
      dpop: true,
      ...options,
    });
    managers.push(m);
    return m;
  }

  test('every token request carries a fresh proof for POST to the token endpoint, signed by the manager key', async () => {
    answer = (_req, res) => dpopToken(res);
    const m = manager();
    const token = await m.getToken();
    assert.equal(token.tokenType, 'DPoP');
    await m.getToken({ forceRenewal: true });
    assert.equal(server.requests.length, 2);
    const [first, second] = await Promise.all(server.requests.map(proofOf));
    for (const proof of [first, second]) {
      assert.equal(proof?.htm, 'POST');
      assert.equal(proof?.htu, server.url);
      assert.equal(proof?.jkt, m.dpop?.thumbprint);
      assert.equal(proof?.nonce, undefined);
    }
    assert.notEqual(first?.jti, second?.jti);
    // The proof is no client credential: Basic authentication goes as before.
    assert.match(String(server.requests[0]?.headers.authorization), /^Basic /);
  });

  test('use_dpop_nonce is answered once with the nonce and a new jti, and the nonce is kept for the next request', async () => {
    // The provider's current nonce; each successful answer hands out the next one.
    let current = 1;
    answer = async (req, res) => {
      const proof = await proofOf(req);
      if (proof.nonce !== `as-nonce-${current}`) {
        json(res, 400, { error: 'use_dpop_nonce' }, { 'dpop-nonce': `as-nonce-${current}` });
        return;
      }
      current++;
      dpopToken(res, { 'dpop-nonce': `as-nonce-${current}` });
    };
    const m = manager();
    assert.equal((await m.getToken()).accessToken, `dpop-token-${issued}`);
    assert.equal(server.requests.length, 2);
    const [refused, accepted] = await Promise.all(server.requests.map(proofOf));
    assert.equal(refused?.nonce, undefined);
    assert.equal(accepted?.nonce, 'as-nonce-1');
    assert.notEqual(refused?.jti, accepted?.jti);
    // The nonce of the successful answer goes straight into the next proof: no extra round trip.
    await m.getToken({ forceRenewal: true });
    assert.equal(server.requests.length, 3);
    assert.equal((await proofOf(server.requests[2] as SeenRequest)).nonce, 'as-nonce-2');
  });

  test('nonce loop: a provider that refuses its own nonce again is not asked a third time', async () => {
    let n = 0;
    answer = (_req, res) =>
      json(res, 400, { error: 'use_dpop_nonce' }, { 'dpop-nonce': `always-new-${++n}` });
    const m = manager({ failureBackoff: { initialMs: 1, maxMs: 1 } });
    await assert.rejects(m.getToken(), (err: unknown) => {
      assert.ok(err instanceof TokenManagementError);
      assert.equal(err.error, 'use_dpop_nonce');
      assert.equal(err.httpStatus, 400);
      return true;
    });
    assert.equal(server.requests.length, 2);
  });

  test('nonce header injection: a use_dpop_nonce with a malformed DPoP-Nonce is not retried', async () => {
    answer = (_req, res) => json(res, 400, { error: 'use_dpop_nonce' }, { 'dpop-nonce': 'bad "nonce"' });
    const m = manager();
    await assert.rejects(m.getToken(), TokenManagementError);
    assert.equal(server.requests.length, 1);
  });

  test('token confusion across keys: managers with different keys never share a cached token, the same key does', async () => {
    answer = (_req, res) => dpopToken(res);
    const store = new MemoryCacheStore({ maxEntries: 10 });
    try {
      const key = generateDPoPKey();
      const a = manager({ store, dpop: { key } });
      const sameKey = manager({ store, dpop: { key } });
      const otherKey = manager({ store, dpop: { key: generateDPoPKey() } });
      const plain = manager({ store, dpop: undefined });
      assert.equal(a.cacheKey, sameKey.cacheKey);
      assert.notEqual(a.cacheKey, otherKey.cacheKey);
      assert.notEqual(a.cacheKey, plain.cacheKey);
      const first = await a.getToken();
      assert.equal((await sameKey.getToken()).accessToken, first.accessToken);
      assert.notEqual((await otherKey.getToken()).accessToken, first.accessToken);
      assert.equal(server.requests.length, 2);
      const proofs = await Promise.all(server.requests.map(proofOf));
      assert.deepEqual(
        proofs.map((p) => p.jkt),
        [a.dpop?.thumbprint, otherKey.dpop?.thumbprint],
      );
      // A manager without dpop keeps the cache key it had before DPoP existed.
      assert.equal(plain.dpop, undefined);
    } finally {
      await store.close();
    }
  });

  test('a shared DPoPClient shares its key and the nonces it learnt', async () => {
    answer = (_req, res) => dpopToken(res, { 'dpop-nonce': 'shared-nonce' });
    const dpop = new DPoPClient();
    const a = manager({ dpop });
    const b = manager({ dpop, scope: 'write' });
    await a.getToken();
    await b.getToken();
    const proofs = await Promise.all(server.requests.map(proofOf));
    assert.equal(proofs[1]?.nonce, 'shared-nonce');
    assert.equal(a.dpop, b.dpop);
  });

  test('any grant takes dpop: the code exchange answers use_dpop_nonce once and keeps the nonce on the response', async () => {
    answer = async (req, res) => {
      const proof = await proofOf(req);
      if (proof.nonce !== 'code-nonce') {
        json(res, 400, { error: 'use_dpop_nonce' }, { 'dpop-nonce': 'code-nonce' });
        return;
      }
      dpopToken(res, { 'dpop-nonce': 'code-nonce-2' });
    };
    const dpop = new DPoPClient();
    const request = new AuthorizationCodeTokenRequest({
      address: server.url,
      clientId: 'web',
      clientSecret: 'web-secret',
      code: 'the-code',
      redirectUri: 'https://app.example/callback',
      codeVerifier: 'v'.repeat(43),
      dpop,
    });
    const response = await requestAuthorizationCodeToken(request, http);
    assert.equal(response.isSuccessful, true);
    assert.equal(response.tokenType, 'DPoP');
    assert.equal(response.dpopNonce, 'code-nonce-2');
    assert.equal(server.requests.length, 2);
    assert.equal(server.requests[1]?.form.get('code'), 'the-code');
    assert.equal(dpop.nonceFor(server.url), 'code-nonce-2');
    // A fixed DPoP header would be a replayed proof: the request refuses one.
    assert.throws(
      () =>
        new AuthorizationCodeTokenRequest({
          address: server.url,
          clientId: 'web',
          code: 'c',
          redirectUri: 'https://app.example/cb',
          headers: { DPoP: 'a.b.c' },
        }),
      /headers: "DPoP" is set by the request itself/,
    );
  });

  test('a bad dpop option fails when the manager is built', () => {
    assert.throws(() => manager({ dpop: { key: { alg: 'ES256' } as never } }), ConfigurationError);
    assert.throws(() => manager({ dpop: 'yes' as never }), ConfigurationError);
  });
});
