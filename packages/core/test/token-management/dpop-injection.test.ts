/**
 * `createAuthenticatedFetch` and `clientCredentialsInterceptor` with a DPoP-bound token: the API below checks
 * each proof as RFC 9449 §4.3 says (with jose, not our code) and, when asked, demands its own nonce (§9).
 */
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { after, afterEach, before, describe, test } from 'node:test';
import { EmbeddedJWK, jwtVerify } from 'jose';
import { Agent, request } from 'undici';
import { createHttpClient } from '../../src/http/index.js';
import type { HttpClient } from '../../src/http/types.js';
import { computeAth, jwkThumbprint } from '../../src/index.js';
import { createAuthenticatedFetch } from '../../src/token-management/authenticated-fetch.js';
import { ClientCredentialsTokenManager } from '../../src/token-management/client-credentials-token-manager.js';
import { clientCredentialsInterceptor } from '../../src/token-management/token-interceptor.js';
import { json, type LocalServer, type SeenRequest, startServer } from '../token/local-server.js';

interface Check {
  ok: boolean;
  htu?: string;
  htm?: string;
  nonce?: string;
  jti?: string;
}

describe('DPoP-bound tokens on outgoing calls', () => {
  let as: LocalServer;
  let api: LocalServer;
  let other: LocalServer;
  let http: HttpClient;
  let manager: ClientCredentialsTokenManager;
  let issued = 0;
  let tokenType = 'DPoP';
  /** The API's nonce; undefined: the API asks for none. */
  let apiNonce: string | undefined;
  /** The API rotates its nonce after every answer, so a nonce it hands out is stale by the next request. */
  let rotating = false;
  /** Tokens the API refuses as `DPoP error="invalid_token"` (revoked). */
  const revoked = new Set<string>();
  const checks: Check[] = [];

  async function check(req: SeenRequest): Promise<Check> {
    const authorization = String(req.headers.authorization ?? '');
    const proof = req.headers.dpop;
    if (!authorization.startsWith('DPoP ') || typeof proof !== 'string') return { ok: false };
    const token = authorization.slice(5);
    const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt' });
    const htu = `${api.origin}${req.path.split('?')[0]}`;
    const ok =
      payload.htm === req.method &&
      payload.htu === htu &&
      payload.ath === computeAth(token) &&
      jwkThumbprint(protectedHeader.jwk as Record<string, unknown>) === manager.dpop?.thumbprint;
    return {
      ok,
      htu: payload.htu as string,
      htm: payload.htm as string,
      nonce: payload.nonce as string | undefined,
      jti: payload.jti as string,
    };
  }

  before(async () => {
    as = await startServer((_req, res) =>
      json(res, 200, { access_token: `bound-${++issued}`, token_type: tokenType, expires_in: 300 }),
    );
    other = await startServer((_req, res) => json(res, 200, {}));
    api = await startServer(async (req, res: ServerResponse) => {
      if (req.path === '/hop') {
        res.writeHead(307, { location: '/landing?x=1' });
        res.end();
        return;
      }
      if (req.path === '/away') {
        res.writeHead(302, { location: `${other.origin}/landing` });
        res.end();
        return;
      }
      if (tokenType !== 'DPoP') {
        json(res, 200, { scheme: String(req.headers.authorization).split(' ')[0] });
        return;
      }
      const result = await check(req);
      checks.push(result);
      const token = String(req.headers.authorization).slice(5);
      if (!result.ok) {
        json(res, 401, {}, { 'www-authenticate': 'DPoP algs="ES256", error="invalid_dpop_proof"' });
      } else if (apiNonce !== undefined && result.nonce !== apiNonce) {
        json(
          res,
          401,
          {},
          {
            'www-authenticate': 'Bearer, DPoP algs="ES256", error="use_dpop_nonce"',
            'dpop-nonce': apiNonce,
          },
        );
        if (rotating) apiNonce = `${apiNonce}-next`;
      } else if (revoked.has(token)) {
        json(res, 401, {}, { 'www-authenticate': 'DPoP algs="ES256", error="invalid_token"' });
      } else {
        json(res, 200, { token }, apiNonce === undefined ? {} : { 'dpop-nonce': apiNonce });
      }
    });
    http = createHttpClient({ retryCount: 0 });
  });
  after(async () => {
    await Promise.all([as.close(), api.close(), other.close(), http.close()]);
  });
  afterEach(async () => {
    await manager?.close();
    for (const s of [as, api, other]) s.requests.length = 0;
    checks.length = 0;
    apiNonce = undefined;
    rotating = false;
    tokenType = 'DPoP';
    revoked.clear();
  });

  function newManager(): ClientCredentialsTokenManager {
    manager = new ClientCredentialsTokenManager({
      tokenEndpoint: as.url,
      clientId: 'svc',
      clientSecret: 'dpop-injection-secret',
      httpClient: http,
      dpop: true,
    });
    return manager;
  }

  describe('createAuthenticatedFetch', () => {
    test('each call carries DPoP <token> and a fresh proof for its method and URL, with ath', async () => {
      const f = createAuthenticatedFetch(newManager(), { origins: [api.origin] });
      const get = await f(`${api.origin}/items?page=2`);
      assert.equal(get.status, 200);
      const post = await f(`${api.origin}/items`, { method: 'POST', body: '{}' });
      assert.equal(post.status, 200);
      assert.deepEqual(
        checks.map((c) => [c.ok, c.htm, c.htu]),
        [
          [true, 'GET', `${api.origin}/items`],
          [true, 'POST', `${api.origin}/items`],
        ],
      );
      assert.notEqual(checks[0]?.jti, checks[1]?.jti);
      assert.equal(as.requests.length, 1);
    });

    test("the API's use_dpop_nonce is answered once with its nonce, and later calls carry it at once", async () => {
      apiNonce = 'api-nonce-1';
      const f = createAuthenticatedFetch(newManager(), { origins: [api.origin] });
      const res = await f(`${api.origin}/items`, { method: 'PUT', body: 'replayable' });
      assert.equal(res.status, 200);
      assert.deepEqual(
        checks.map((c) => c.nonce),
        [undefined, 'api-nonce-1'],
      );
      assert.notEqual(checks[0]?.jti, checks[1]?.jti);
      assert.equal((await f(`${api.origin}/again`)).status, 200);
      assert.equal(checks.length, 3);
      assert.equal(checks[2]?.nonce, 'api-nonce-1');
    });

    test('nonce loop: an API that keeps refusing gets one retry, and its 401 is passed on', async () => {
      const f = createAuthenticatedFetch(newManager(), { origins: [api.origin] });
      apiNonce = 'n';
      rotating = true;
      const res = await f(`${api.origin}/items`);
      assert.equal(res.status, 401);
      assert.match(String(res.headers.get('www-authenticate')), /error="use_dpop_nonce"/);
      assert.equal(api.requests.length, 2);
      assert.deepEqual(
        checks.map((c) => c.nonce),
        [undefined, 'n'],
      );
    });

    test('a streamed body is not resent: the use_dpop_nonce answer reaches the caller', async () => {
      apiNonce = 'api-nonce-stream';
      const f = createAuthenticatedFetch(newManager(), { origins: [api.origin] });
      const body = Readable.toWeb(Readable.from(['chunk'])) as ReadableStream;
      const res = await f(`${api.origin}/upload`, { method: 'POST', body, duplex: 'half' } as RequestInit);
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('dpop-nonce'), 'api-nonce-stream');
      assert.equal(api.requests.length, 1);
      // The nonce was remembered all the same: the next call's proof has it.
      assert.equal((await f(`${api.origin}/next`)).status, 200);
      assert.equal(checks[1]?.nonce, 'api-nonce-stream');
    });

    test('DPoP error="invalid_token": the token is renewed once and the call retried with a new proof', async () => {
      const f = createAuthenticatedFetch(newManager(), { origins: [api.origin] });
      const first = await manager.getToken();
      revoked.add(first.accessToken);
      const res = await f(`${api.origin}/items`);
      assert.equal(res.status, 200);
      assert.notEqual(((await res.json()) as { token: string }).token, first.accessToken);
      assert.equal(as.requests.length, 2);
      assert.deepEqual(
        checks.map((c) => c.ok),
        [true, true],
      );
    });

    test('a redirect hop gets a proof for its own URL; a hop to another origin gets neither token nor proof', async () => {
      const f = createAuthenticatedFetch(newManager(), { origins: [api.origin] });
      const res = await f(`${api.origin}/hop`);
      assert.equal(res.status, 200);
      assert.equal(checks.length, 1);
      assert.equal(checks[0]?.htu, `${api.origin}/landing`);
      assert.equal(checks[0]?.ok, true);
      const hopProof = api.requests[0]?.headers.dpop;
      assert.notEqual(hopProof, api.requests[1]?.headers.dpop);
      const away = await f(`${api.origin}/away`);
      assert.equal(away.status, 200);
      const landed = other.requests[0];
      assert.equal(landed?.headers.authorization, undefined);
      assert.equal(landed?.headers.dpop, undefined);
    });

    test('a provider that ignored the proof issued a bearer token: it goes as Bearer, without a proof', async () => {
      tokenType = 'Bearer';
      const f = createAuthenticatedFetch(newManager(), { origins: [api.origin] });
      const res = await f(`${api.origin}/items`);
      assert.deepEqual(await res.json(), { scheme: 'Bearer' });
      assert.equal(api.requests[0]?.headers.dpop, undefined);
    });
  });

  describe('clientCredentialsInterceptor', () => {
    let agent: Agent;
    before(() => {
      agent = new Agent();
    });
    after(async () => {
      await agent.close();
    });

    test('a proof per dispatch for its method, origin and path; the caller’s own DPoP header is replaced', async () => {
      const dispatcher = agent.compose(clientCredentialsInterceptor(newManager(), { origins: [api.origin] }));
      const res = await request(`${api.origin}/items?q=1`, {
        dispatcher,
        method: 'DELETE',
        headers: { dpop: 'caller.supplied.proof' },
      });
      assert.equal(res.statusCode, 200);
      await res.body.text();
      assert.deepEqual(
        checks.map((c) => [c.ok, c.htm, c.htu]),
        [[true, 'DELETE', `${api.origin}/items`]],
      );
    });

    test("the API's use_dpop_nonce is retried once with its nonce (replayable body)", async () => {
      apiNonce = 'api-nonce-2';
      const dispatcher = agent.compose(clientCredentialsInterceptor(newManager(), { origins: [api.origin] }));
      const res = await request(`${api.origin}/items`, { dispatcher, method: 'POST', body: 'payload' });
      assert.equal(res.statusCode, 200);
      await res.body.text();
      assert.deepEqual(
        checks.map((c) => c.nonce),
        [undefined, 'api-nonce-2'],
      );
      assert.equal(api.requests[1]?.body, 'payload');
      const again = await request(`${api.origin}/items`, { dispatcher });
      await again.body.text();
      assert.equal(checks[2]?.nonce, 'api-nonce-2');
      assert.equal(checks.length, 3);
    });

    test('DPoP error="invalid_token" renews once; a streamed body is never resent', async () => {
      const dispatcher = agent.compose(clientCredentialsInterceptor(newManager(), { origins: [api.origin] }));
      const first = await manager.getToken();
      revoked.add(first.accessToken);
      const res = await request(`${api.origin}/items`, { dispatcher });
      assert.equal(res.statusCode, 200);
      await res.body.text();
      assert.equal(as.requests.length, 2);
      apiNonce = 'api-nonce-3';
      const streamed = await request(`${api.origin}/upload`, {
        dispatcher,
        method: 'POST',
        body: Readable.from(['chunk']),
      });
      assert.equal(streamed.statusCode, 401);
      await streamed.body.text();
      assert.equal(api.requests.length, 3);
    });
  });
});
