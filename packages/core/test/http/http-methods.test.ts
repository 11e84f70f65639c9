import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { after, describe, test } from 'node:test';
import { HttpError } from '../../src/errors.js';
import { createHttpClient } from '../../src/http/index.js';
import { type LocalServer, startServer } from './local-server.js';

// PUT and DELETE (RFC 7592 client management) through the shared client, and what a redirect does to them.

interface Seen {
  method: string | undefined;
  headers: IncomingMessage['headers'];
}

async function recorder(status = 200, location?: string): Promise<{ server: LocalServer; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = await startServer((req, res) => {
    seen.push({ method: req.method, headers: req.headers });
    res.writeHead(status, location ? { location } : {});
    res.end();
  });
  return { server, seen };
}

describe('HTTP methods PUT and DELETE', () => {
  const servers: LocalServer[] = [];
  const http = createHttpClient({ retryCount: 0 });
  after(async () => {
    await http.close();
    await Promise.all(servers.map((s) => s.close()));
  });
  const track = <T extends { server: LocalServer }>(value: T): T => {
    servers.push(value.server);
    return value;
  };

  test('PUT sends its body and DELETE none; neither is retried by default', async () => {
    const target = track(await recorder(503));
    const put = await http.request({
      url: `${target.server.url}/reg/c`,
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"client_name":"x"}',
    });
    const del = await http.request({ url: `${target.server.url}/reg/c`, method: 'DELETE' });
    assert.equal(put.status, 503);
    assert.equal(del.status, 503);
    assert.deepEqual(
      target.seen.map((s) => s.method),
      ['PUT', 'DELETE'],
    );
    assert.deepEqual(target.server.bodies, ['{"client_name":"x"}', '']);
  });

  test('attack: a cross-origin 301/302 after a PUT is refused, as it would resend the body there', async () => {
    for (const status of [301, 302]) {
      const other = track(await recorder());
      const api = track(await recorder(status, `${other.server.url}/landing`));
      const error = await http
        .request({
          url: `${api.server.url}/reg/c`,
          method: 'PUT',
          headers: { authorization: 'Bearer rat-secret' },
          body: '{"client_secret":"leaked"}',
          followRedirects: true,
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      assert.ok(error instanceof HttpError, `${status}: got ${String(error)}`);
      assert.equal(error.code, 'http_redirect');
      assert.equal(other.server.count, 0);
    }
  });

  test('a 303 after a PUT or DELETE continues as a GET without body or credentials elsewhere', async () => {
    for (const method of ['PUT', 'DELETE'] as const) {
      const other = track(await recorder());
      const api = track(await recorder(303, `${other.server.url}/landing`));
      const response = await http.request({
        url: `${api.server.url}/reg/c`,
        method,
        headers: { authorization: 'Bearer rat-secret' },
        ...(method === 'PUT' ? { body: '{"a":1}' } : {}),
        followRedirects: true,
      });
      assert.equal(response.status, 200);
      assert.equal(other.seen[0]?.method, 'GET');
      assert.equal(other.server.bodies[0], '');
      assert.equal(other.seen[0]?.headers.authorization, undefined);
    }
  });

  test('a same-origin 301 keeps a DELETE a DELETE', async () => {
    let hops = 0;
    const seen: Array<string | undefined> = [];
    const server = await startServer((req, res) => {
      seen.push(req.method);
      hops++;
      res.writeHead(hops === 1 ? 301 : 204, hops === 1 ? { location: '/moved' } : {});
      res.end();
    });
    servers.push(server);
    const response = await http.request({
      url: `${server.url}/reg/c`,
      method: 'DELETE',
      followRedirects: true,
    });
    assert.equal(response.status, 204);
    assert.deepEqual(seen, ['DELETE', 'DELETE']);
  });
});
