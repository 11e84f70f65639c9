import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { HttpError } from '../../src/errors.js';
import { createHttpClient } from '../../src/http/index.js';
import type { Logger } from '../../src/logger.js';
import { freePort, type LocalServer, sendJson, startServer } from './local-server.js';

const servers: LocalServer[] = [];
async function serve(...args: Parameters<typeof startServer>): Promise<LocalServer> {
  const server = await startServer(...args);
  servers.push(server);
  return server;
}
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

/** Fast retries so tests stay quick; each test overrides what it checks. */
function client(options: Parameters<typeof createHttpClient>[0] = {}) {
  return createHttpClient({ env: {}, retryBaseDelayMs: 5, timeoutMs: 5_000, ...options });
}

function retryLog(): { logger: Logger; retries: object[] } {
  const retries: object[] = [];
  const noop = (): void => {};
  return {
    retries,
    logger: {
      debug: (obj, msg) => {
        if (msg === 'retrying HTTP request') retries.push(obj);
      },
      info: noop,
      warn: noop,
      error: noop,
    },
  };
}

async function rejection(promise: Promise<unknown>): Promise<HttpError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof HttpError, `expected HttpError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the request to fail');
}

describe('timeouts', () => {
  test('a server that never answers times out, and the timeout is not retried', async () => {
    const server = await serve(() => {});
    const http = client({ timeoutMs: 200, retryCount: 2 });
    const error = await rejection(http.request({ url: `${server.url}/hang` }));
    assert.equal(error.code, 'http_timeout');
    assert.equal(server.count, 1);
    await http.close();
  });

  test('a slow-drip body is cut off by the whole-exchange timeout (slowloris response)', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"a":');
      const timer = setInterval(() => res.write(' '), 40);
      res.on('close', () => clearInterval(timer));
    });
    const http = client({ timeoutMs: 300, retryCount: 0 });
    const error = await rejection(http.request({ url: server.url }));
    assert.equal(error.code, 'http_timeout');
    await http.close();
  });

  test('a per-request timeout overrides the client default', async () => {
    const server = await serve(() => {});
    const http = client({ timeoutMs: 60_000, retryCount: 0 });
    const error = await rejection(http.request({ url: server.url, timeoutMs: 150 }));
    assert.equal(error.code, 'http_timeout');
    await http.close();
  });
});

describe('retries', () => {
  test('429 with Retry-After in seconds is honoured before retrying', async () => {
    const server = await serve((_req, res, n) =>
      n === 1 ? sendJson(res, 429, {}, { 'retry-after': '1' }) : sendJson(res, 200, { ok: true }),
    );
    const http = client({ retryBaseDelayMs: 1, maxRetryDelayMs: 5_000 });
    const started = Date.now();
    const response = await http.request({ url: server.url });
    assert.equal(response.status, 200);
    assert.equal(server.count, 2);
    assert.ok(Date.now() - started >= 900, 'waited the second the server asked for');
    await http.close();
  });

  test('429 with Retry-After as an HTTP date is honoured', async () => {
    const server = await serve((_req, res, n) =>
      n === 1
        ? sendJson(res, 429, {}, { 'retry-after': new Date(Date.now() + 2_000).toUTCString() })
        : sendJson(res, 200, { ok: true }),
    );
    const http = client({ retryBaseDelayMs: 1, maxRetryDelayMs: 5_000 });
    const started = Date.now();
    const response = await http.request({ url: server.url });
    assert.equal(response.status, 200);
    assert.equal(server.count, 2);
    assert.ok(Date.now() - started >= 800, 'waited until the date the server gave');
    await http.close();
  });

  test('a Retry-After longer than maxRetryDelayMs is not waited for: the error carries it', async () => {
    const server = await serve((_req, res) => sendJson(res, 429, {}, { 'retry-after': '60' }));
    const http = client({ maxRetryDelayMs: 1_000 });
    const error = await rejection(http.request({ url: server.url }));
    assert.equal(error.code, 'http_status');
    assert.equal(error.status, 429);
    assert.equal(error.retryAfter, 60);
    assert.equal(server.count, 1);
    await http.close();
  });

  test('500 then 200 succeeds on the retry', async () => {
    const server = await serve((_req, res, n) =>
      n === 1 ? sendJson(res, 500, { error: 'boom' }) : sendJson(res, 200, { ok: true }),
    );
    const http = client();
    const response = await http.request({ url: server.url });
    assert.equal(response.status, 200);
    assert.deepEqual(JSON.parse(response.body.toString()), { ok: true });
    assert.equal(server.count, 2);
    await http.close();
  });

  test('503 on every attempt ends in http_status carrying the status after retryCount retries', async () => {
    const server = await serve((_req, res) => sendJson(res, 503, {}));
    const { logger, retries } = retryLog();
    const http = client({ retryCount: 2, logger });
    const error = await rejection(http.request({ url: server.url }));
    assert.equal(error.code, 'http_status');
    assert.equal(error.status, 503);
    assert.equal(server.count, 3);
    assert.equal(retries.length, 2);
    await http.close();
  });

  test('connection refused is retried, then reported as http_network', async () => {
    const port = await freePort();
    const { logger, retries } = retryLog();
    const http = client({ retryCount: 2, logger });
    const error = await rejection(http.request({ url: `http://127.0.0.1:${port}/` }));
    assert.equal(error.code, 'http_network');
    assert.equal(retries.length, 2);
    await http.close();
  });

  test('connection refused is retried even for a POST in unsent mode (it never reached the server)', async () => {
    const port = await freePort();
    const { logger, retries } = retryLog();
    const http = client({ retryCount: 1, logger });
    const error = await rejection(
      http.request({ url: `http://127.0.0.1:${port}/token`, body: 'code=x', retry: 'unsent' }),
    );
    assert.equal(error.code, 'http_network');
    assert.equal(retries.length, 1);
    await http.close();
  });

  test('a truncated body is a network failure, retried for a GET', async () => {
    const server = await serve((_req, res, n) => {
      if (n === 1) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('{"keys":[');
        setTimeout(() => res.socket?.destroy(), 20);
      } else {
        sendJson(res, 200, { keys: [] });
      }
    });
    const http = client();
    const response = await http.request({ url: server.url });
    assert.deepEqual(JSON.parse(response.body.toString()), { keys: [] });
    assert.equal(server.count, 2);

    const once = client({ retryCount: 0 });
    server.resetCount();
    const truncatedAgain = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('{"keys":[');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const error = await rejection(once.request({ url: truncatedAgain.url }));
    assert.equal(error.code, 'http_network');
    await Promise.all([http.close(), once.close()]);
  });

  test('double-spend: a POST in the default mode is never repeated, whatever the failure', async () => {
    const server = await serve((req, res) => {
      if (req.url === '/reset') res.socket?.destroy();
      else sendJson(res, 503, { error: 'temporarily_unavailable' });
    });
    const http = client({ retryCount: 3 });
    const response = await http.request({
      url: `${server.url}/token`,
      body: 'grant_type=authorization_code',
    });
    assert.equal(response.status, 503, 'the 503 is returned to the caller, not retried');
    assert.equal(server.count, 1);

    const error = await rejection(http.request({ url: `${server.url}/reset`, body: 'x=1', retry: 'none' }));
    assert.equal(error.code, 'http_network');
    assert.equal(server.count, 2, 'a reset connection is not retried for a POST');
    await http.close();
  });

  test('double-spend: unsent mode does not retry a 503 or a reset connection', async () => {
    const server = await serve((req, res) => {
      if (req.url === '/reset') res.socket?.destroy();
      else sendJson(res, 503, {});
    });
    const http = client({ retryCount: 3 });
    const response = await http.request({ url: `${server.url}/token`, body: 'code=x', retry: 'unsent' });
    assert.equal(response.status, 503);
    assert.equal(server.count, 1);
    await rejection(http.request({ url: `${server.url}/reset`, body: 'code=x', retry: 'unsent' }));
    assert.equal(server.count, 2);
    await http.close();
  });

  test('rate-limited mode retries 429 and 503 but returns a 500', async () => {
    const server = await serve((req, res, n) => {
      if (req.url === '/500') return sendJson(res, 500, {});
      return n === 1 ? sendJson(res, 429, {}) : sendJson(res, 200, { access_token: 'x' });
    });
    const http = client();
    const ok = await http.request({ url: `${server.url}/token`, body: 'a=1', retry: 'rate-limited' });
    assert.equal(ok.status, 200);
    assert.equal(server.count, 2);
    assert.deepEqual(server.bodies, ['a=1', 'a=1']);
    const failed = await http.request({ url: `${server.url}/500`, body: 'a=1', retry: 'rate-limited' });
    assert.equal(failed.status, 500);
    assert.equal(server.count, 3);
    await http.close();
  });

  test('an aborted request is not retried', async () => {
    const server = await serve(() => {});
    const http = client({ retryCount: 3 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await rejection(http.request({ url: server.url, signal: controller.signal }));
    assert.equal(error.code, 'http_aborted');
    assert.equal(server.count, 1);
    await http.close();
  });
});

describe('response size', () => {
  test('memory exhaustion: a declared content-length over the cap is refused without reading it', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': String(10 * 1024 * 1024) });
      res.write(Buffer.alloc(1024));
    });
    const http = client({ maxBodyBytes: 64 * 1024, retryCount: 2 });
    const error = await rejection(http.request({ url: server.url }));
    assert.equal(error.code, 'http_body_too_large');
    assert.equal(server.count, 1, 'an oversize body is not retried');
    await http.close();
  });

  test('memory exhaustion: an endless chunked body is cut at the cap and the connection dropped', async () => {
    let closedByClient = false;
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(16 * 1024, 0x20);
      const timer = setInterval(() => res.write(chunk), 1);
      res.on('close', () => {
        clearInterval(timer);
        closedByClient = true;
      });
    });
    const http = client({ retryCount: 0 });
    const error = await rejection(http.request({ url: server.url, maxBodyBytes: 100 * 1024 }));
    assert.equal(error.code, 'http_body_too_large');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(closedByClient, 'the server saw the connection closed');
    await http.close();
  });

  test('the default cap is 1 MiB', async () => {
    const server = await serve((req, res) => {
      const size = req.url === '/big' ? 1024 * 1024 + 1 : 1024 * 1024;
      res.writeHead(200);
      res.end(Buffer.alloc(size));
    });
    const http = client({ retryCount: 0 });
    assert.equal((await http.request({ url: `${server.url}/ok` })).body.length, 1024 * 1024);
    assert.equal((await rejection(http.request({ url: `${server.url}/big` }))).code, 'http_body_too_large');
    await http.close();
  });
});

describe('redirects', () => {
  test('metadata redirect to another host: not followed by default, the 3xx is returned', async () => {
    const elsewhere = await serve((_req, res) => sendJson(res, 200, { issuer: 'https://evil.example' }));
    const server = await serve((_req, res) => {
      res.writeHead(302, { location: `${elsewhere.url}/.well-known/openid-configuration` });
      res.end();
    });
    const http = client();
    const response = await http.request({ url: server.url });
    assert.equal(response.status, 302);
    assert.equal(elsewhere.count, 0);
    await http.close();
  });

  test('followRedirects follows, and drops Authorization when leaving the origin', async () => {
    let seenAuthorization: string | undefined = 'not called';
    const elsewhere = await serve((req, res) => {
      seenAuthorization = req.headers.authorization;
      sendJson(res, 200, { ok: true });
    });
    const server = await serve((_req, res) => {
      res.writeHead(307, { location: `${elsewhere.url}/next` });
      res.end();
    });
    const http = client();
    const response = await http.request({
      url: server.url,
      headers: { Authorization: 'Bearer secret' },
      followRedirects: true,
    });
    assert.equal(response.status, 200);
    assert.equal(response.url, `${elsewhere.url}/next`);
    assert.equal(seenAuthorization, undefined);
    await http.close();
  });
});

describe('connections and requests', () => {
  test('connections are reused across requests of one client', async () => {
    const ports: number[] = [];
    const server = await serve((req, res) => {
      ports.push(req.socket.remotePort ?? -1);
      sendJson(res, 200, {});
    });
    const http = client();
    for (let i = 0; i < 6; i++) await http.request({ url: server.url });
    // undici may open a second socket while the first is being released; never one per request.
    assert.equal(ports.length, 6);
    assert.ok(new Set(ports).size <= 2, `6 requests used ${new Set(ports).size} connections`);
    await http.close();
  });

  test('a form body is sent url-encoded with its content type; query strings reach the server', async () => {
    let contentType: string | undefined;
    let path: string | undefined;
    const server = await serve((req, res) => {
      contentType = req.headers['content-type'];
      path = req.url;
      sendJson(res, 200, {});
    });
    const http = client();
    await http.request({ url: `${server.url}/token?x=1`, body: new URLSearchParams({ a: 'b c', d: '&' }) });
    assert.equal(contentType, 'application/x-www-form-urlencoded');
    assert.equal(path, '/token?x=1');
    assert.equal(server.bodies[0], 'a=b+c&d=%26');
    await http.close();
  });

  test('headers are lower-cased for the caller', async () => {
    const server = await serve((_req, res) => sendJson(res, 200, {}, { 'Cache-Control': 'max-age=5' }));
    const http = client();
    const response = await http.request({ url: server.url });
    assert.equal(response.headers['cache-control'], 'max-age=5');
    assert.equal(response.headers['content-type'], 'application/json');
    await http.close();
  });

  test('a closed client refuses new requests', async () => {
    const server = await serve((_req, res) => sendJson(res, 200, {}));
    const http = client();
    await http.close();
    await http.close();
    await rejection(http.request({ url: server.url }));
    assert.equal(server.count, 0);
  });
});
