/**
 * Token leak through origin confusion: a URL a user supplies (a webhook, an image to fetch) whose path names
 * the allowed host (`//api/x`, `/\api/x`, absolute-form, encoded) while the request is dispatched to the
 * attacker. The origin undici connects to decides, and nothing else. Both servers record raw request heads,
 * so even a request line Node's HTTP parser would refuse shows whether `Authorization` went out.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { Agent, type Dispatcher, Pool, request, fetch as undiciFetch } from 'undici';
import { createAuthenticatedFetch } from '../../src/token-management/authenticated-fetch.js';
import type { ClientCredentialsTokenManager } from '../../src/token-management/client-credentials-token-manager.js';
import { clientCredentialsInterceptor } from '../../src/token-management/token-interceptor.js';
import { type RawRecordingServer, startRawRecordingServer } from './raw-recording-server.js';
import { type ServiceTokenFixture, startServiceTokenFixture } from './service-token-fixture.js';

/** Paths that name `host` while the request goes elsewhere; as a dispatcher sees them (`opts.path`). */
function pathTricks(host: string): string[] {
  return [
    `//${host}/x`,
    `///${host}/x`,
    `/\\${host}/x`,
    `/\\\\${host}/x`,
    `\\\\${host}/x`,
    `//svc:pw@${host}/x`,
    `//${host}`,
    `http://${host}/x`,
    `/%2F%2F${host}/x`,
    `/%5C%5C${host}/x`,
    `/%2f%5c${host}/x`,
  ];
}

/** The same tricks spelled as a whole URL aimed at `target`, as a user would hand it over. */
function urlTricks(target: RawRecordingServer, host: string): string[] {
  return [
    ...pathTricks(host)
      .filter((p) => p.startsWith('/'))
      .map((p) => `${target.origin}${p}`),
    `${target.origin}\\\\${host}/x`,
    `${target.origin}/${'http://'}${host}/x`,
    `http://${host}@${target.host}/x`,
  ];
}

/** Sends, reads the answer away, and swallows refusals: a request undici will not send leaks nothing. */
async function settle(send: () => Promise<{ text(): Promise<string> }>): Promise<void> {
  try {
    await (await send()).text();
  } catch {
    // refused before sending (e.g. a path that does not start with "/"): nothing reached anyone
  }
}

describe('token leak through origin confusion', () => {
  let service: ServiceTokenFixture;
  let manager: ClientCredentialsTokenManager;
  let api: RawRecordingServer;
  let attacker: RawRecordingServer;
  let agent: Agent;

  before(async () => {
    service = await startServiceTokenFixture('origin-confusion-secret');
    manager = service.manager;
    api = await startRawRecordingServer();
    attacker = await startRawRecordingServer();
    agent = new Agent();
  });
  after(async () => {
    await agent.close();
    await Promise.all([service.close(), api.close(), attacker.close()]);
  });
  afterEach(() => {
    api.heads.length = 0;
    attacker.heads.length = 0;
  });

  const intercepted = (): Dispatcher =>
    agent.compose(clientCredentialsInterceptor(manager, { origins: [api.origin] }));

  const entryPoints: Record<
    string,
    (url: string, dispatcher: Dispatcher) => Promise<{ text(): Promise<string> }>
  > = {
    'undici.request(url, { dispatcher })': async (url, dispatcher) =>
      (await request(url, { dispatcher })).body,
    'fetch(url, { dispatcher })': (url, dispatcher) => undiciFetch(url, { dispatcher }),
    'dispatcher.request({ origin, path })': async (url, dispatcher) => {
      const u = new URL(url);
      return (await dispatcher.request({ origin: u.origin, path: `${u.pathname}${u.search}`, method: 'GET' }))
        .body;
    },
  };

  for (const [name, send] of Object.entries(entryPoints)) {
    test(`interceptor, ${name}: a URL whose path names the allowed host sends the attacker no token`, async () => {
      const dispatcher = intercepted();
      const urls = urlTricks(attacker, api.host);
      for (const url of urls) await settle(() => send(url, dispatcher));
      assert.ok(
        attacker.heads.length >= urls.length - 1,
        `the attacker was reached (${attacker.heads.length})`,
      );
      assert.deepEqual(attacker.authorizations(), []);
      assert.equal(api.heads.length, 0);
    });
  }

  test('interceptor, dispatcher.request with a raw path trick: the attacker receives no Authorization', async () => {
    const dispatcher = intercepted();
    const paths = pathTricks(api.host);
    for (const path of paths) {
      for (const origin of [attacker.origin, new URL(attacker.origin), `${attacker.origin}/`]) {
        await settle(async () => (await dispatcher.request({ origin, path, method: 'GET' })).body);
      }
    }
    assert.ok(
      attacker.heads.length >= (paths.length - 1) * 3,
      `the attacker was reached (${attacker.heads.length})`,
    );
    assert.deepEqual(attacker.authorizations(), []);
  });

  test('interceptor: userinfo naming the allowed host in the origin does not choose where the token goes', async () => {
    const dispatcher = intercepted();
    const origin = `http://${api.host}@${attacker.host}`;
    await settle(async () => (await dispatcher.request({ origin, path: '/x', method: 'GET' })).body);
    assert.equal(attacker.heads.length, 1);
    assert.deepEqual(attacker.authorizations(), []);
  });

  test('interceptor: a request dispatched to the allowed origin keeps its token whatever its path', async () => {
    const dispatcher = intercepted();
    const paths = [
      ...pathTricks(attacker.host).filter((p) => p.startsWith('/') || p.startsWith('http')),
      '/x?y=1',
    ];
    for (const path of paths) {
      for (const origin of [api.origin, new URL(api.origin)]) {
        const res = await dispatcher.request({ origin, path, method: 'GET' });
        await res.body.text();
      }
    }
    for (const [name, send] of Object.entries(entryPoints)) {
      await (await send(`${api.origin}//${attacker.host}/x`, dispatcher)).text();
      assert.ok(api.heads.length > 0, name);
    }
    assert.equal(api.heads.length, paths.length * 2 + 3);
    assert.equal(api.authorizations().length, api.heads.length, 'every request to the API carried the token');
    assert.ok(api.heads.every((h) => h.includes(`authorization: Bearer ${service.latest()}`)));
    assert.equal(attacker.heads.length, 0);
  });

  test('interceptor: a dispatch that names no origin (a bare Pool) goes out without the token', async () => {
    // A Pool connects to its own origin whatever opts.origin says; with none given we cannot know, so no token.
    const pool = new Pool(api.origin);
    try {
      const dispatcher = pool.compose(clientCredentialsInterceptor(manager, { origins: [api.origin] }));
      await (await dispatcher.request({ path: `//${api.host}/x`, method: 'GET' })).body.text();
      assert.equal(api.heads.length, 1);
      assert.deepEqual(api.authorizations(), []);
    } finally {
      await pool.close();
    }
  });

  test('createAuthenticatedFetch: a URL or Request whose path names the allowed host sends the attacker no token', async () => {
    const f = createAuthenticatedFetch(manager, { origins: [api.origin] });
    const urls = urlTricks(attacker, api.host).filter((u) => !u.includes('@'));
    for (const url of urls) {
      await settle(() => f(url));
      await settle(() => f(new URL(url)));
      await settle(() => f(new Request(url)));
    }
    assert.ok(
      attacker.heads.length >= urls.length * 3 - 3,
      `the attacker was reached (${attacker.heads.length})`,
    );
    assert.deepEqual(attacker.authorizations(), []);
    await (await f(`${api.origin}//${attacker.host}/x`)).text();
    assert.equal(api.authorizations().length, 1, 'the allowed origin keeps its token whatever its path');
  });
});
