import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigurationError, HttpError } from '../../src/errors.js';
import { createHttpClient } from '../../src/http/index.js';
import { type LocalServer, sendJson, startServer } from './local-server.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const CERT_A = fixture('server-a.crt');
const CERT_B = fixture('server-b.crt');

const servers: LocalServer[] = [];
async function serve(...args: Parameters<typeof startServer>): Promise<LocalServer> {
  const server = await startServer(...args);
  servers.push(server);
  return server;
}
const closers: (() => Promise<void>)[] = [];
after(async () => {
  await Promise.all([...servers.map((s) => s.close()), ...closers.map((c) => c())]);
});

function configError(fn: () => unknown, mentions: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ConfigurationError, `expected ConfigurationError, got ${String(error)}`);
    assert.equal(error.code, 'configuration_invalid');
    assert.match(error.message, new RegExp(mentions));
    return true;
  });
}

describe('environment variables', () => {
  for (const [name, value] of [
    ['HTTP_TIMEOUT', 'abc'],
    ['HTTP_TIMEOUT', '-1'],
    ['HTTP_TIMEOUT', '0'],
    ['HTTP_RETRY_COUNT', '1.5'],
    ['HTTP_RETRY_COUNT', '-2'],
    ['HTTP_RETRY_BASE_DELAY', 'soon'],
  ] as const) {
    test(`${name}=${value} is a configuration error naming the variable`, () => {
      configError(() => createHttpClient({ env: { [name]: value } }), name);
    });
  }

  test('invalid options are configuration errors naming the option', () => {
    configError(() => createHttpClient({ env: {}, timeoutMs: -5 }), 'timeoutMs');
    configError(() => createHttpClient({ env: {}, retryCount: 1.5 }), 'retryCount');
    configError(() => createHttpClient({ env: {}, maxBodyBytes: 0 }), 'maxBodyBytes');
    configError(() => createHttpClient({ env: { HTTPS_PROXY: 'not a url' } }), 'HTTPS_PROXY');
  });

  test('HTTP_TIMEOUT (seconds) sets the timeout', async () => {
    const server = await serve(() => {});
    const http = createHttpClient({ env: { HTTP_TIMEOUT: '0.2', HTTP_RETRY_COUNT: '0' } });
    closers.push(() => http.close());
    await assert.rejects(http.request({ url: server.url }), { code: 'http_timeout' });
  });

  test('HTTP_RETRY_COUNT sets the retries; an explicit retryCount beats it', async () => {
    const server = await serve((_req, res) => sendJson(res, 503, {}));
    const env = { HTTP_RETRY_COUNT: '2', HTTP_RETRY_BASE_DELAY: '0.001' };
    const fromEnv = createHttpClient({ env });
    await assert.rejects(fromEnv.request({ url: server.url }), { code: 'http_status', status: 503 });
    assert.equal(server.count, 3);

    server.resetCount();
    const explicit = createHttpClient({ env, retryCount: 0 });
    await assert.rejects(explicit.request({ url: server.url }), { code: 'http_status' });
    assert.equal(server.count, 1);
    await Promise.all([fromEnv.close(), explicit.close()]);
  });

  test('an explicit option wins even over an invalid variable', async () => {
    const http = createHttpClient({ env: { HTTP_TIMEOUT: 'abc' }, timeoutMs: 1_000 });
    await http.close();
  });

  test('the environment is read once, at construction', async () => {
    const server = await serve((_req, res) => sendJson(res, 503, {}));
    const env: Record<string, string> = { HTTP_RETRY_COUNT: '0' };
    const http = createHttpClient({ env });
    env.HTTP_RETRY_COUNT = '3';
    await assert.rejects(http.request({ url: server.url }), { code: 'http_status' });
    assert.equal(server.count, 1);
    await http.close();
  });
});

describe('custom CA bundle', () => {
  const tls = { key: readFileSync(fixture('server-a.key')), cert: readFileSync(CERT_A) };

  async function fetchWith(env: Record<string, string>, ca?: string): Promise<number> {
    const server = await serve((_req, res) => sendJson(res, 200, {}), tls);
    const http = createHttpClient({ env, retryCount: 0, ...(ca ? { ca } : {}) });
    try {
      return (await http.request({ url: server.url })).status;
    } finally {
      await http.close();
    }
  }

  test('without a CA bundle a private CA is not trusted', async () => {
    await assert.rejects(fetchWith({}), (error: unknown) => error instanceof HttpError);
  });

  for (const name of ['SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE']) {
    test(`${name} alone is used`, async () => {
      assert.equal(await fetchWith({ [name]: CERT_A }), 200);
    });
  }

  test('SSL_CERT_FILE beats REQUESTS_CA_BUNDLE, which beats CURL_CA_BUNDLE', async () => {
    await assert.rejects(fetchWith({ SSL_CERT_FILE: CERT_B, REQUESTS_CA_BUNDLE: CERT_A }), HttpError);
    await assert.rejects(fetchWith({ REQUESTS_CA_BUNDLE: CERT_B, CURL_CA_BUNDLE: CERT_A }), HttpError);
    assert.equal(await fetchWith({ SSL_CERT_FILE: CERT_A, REQUESTS_CA_BUNDLE: CERT_B }), 200);
  });

  test('the ca option beats the variables, as a path or as PEM text', async () => {
    assert.equal(await fetchWith({ SSL_CERT_FILE: CERT_B }, CERT_A), 200);
    assert.equal(await fetchWith({ SSL_CERT_FILE: CERT_B }, readFileSync(CERT_A, 'utf8')), 200);
  });

  test('an unreadable bundle is a configuration error naming the variable', () => {
    configError(
      () => createHttpClient({ env: { REQUESTS_CA_BUNDLE: '/nonexistent/ca.pem', CURL_CA_BUNDLE: CERT_A } }),
      'REQUESTS_CA_BUNDLE',
    );
  });
});

describe('proxy', () => {
  /** A CONNECT proxy that counts tunnels (undici tunnels plain http through a proxy too). */
  async function startProxy(): Promise<{ url: string; tunnels: () => number }> {
    let tunnels = 0;
    const proxy = createServer();
    proxy.on('connect', (req, clientSocket, head) => {
      tunnels++;
      const [host, port] = (req.url ?? '').split(':');
      const upstream = connect(Number(port), host, () => {
        clientSocket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(clientSocket);
        clientSocket.pipe(upstream);
      });
      upstream.on('error', () => clientSocket.destroy());
      clientSocket.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    closers.push(async () => {
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    });
    return { url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, tunnels: () => tunnels };
  }

  test('HTTP_PROXY routes requests through the proxy; NO_PROXY and proxy:false bypass it', async () => {
    const proxy = await startProxy();
    const server = await serve((_req, res) => sendJson(res, 200, {}));

    const proxied = createHttpClient({ env: { HTTP_PROXY: proxy.url } });
    assert.equal((await proxied.request({ url: server.url })).status, 200);
    assert.equal(proxy.tunnels(), 1);

    const bypassed = createHttpClient({ env: { HTTP_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' } });
    const disabled = createHttpClient({ env: { HTTP_PROXY: proxy.url }, proxy: false });
    await bypassed.request({ url: server.url });
    await disabled.request({ url: server.url });
    assert.equal(proxy.tunnels(), 1);
    assert.equal(server.count, 3);
    await Promise.all([proxied.close(), bypassed.close(), disabled.close()]);
  });

  test('HTTPS_PROXY carries https traffic, with the custom CA applied inside the tunnel', async () => {
    const proxy = await startProxy();
    const tls = { key: readFileSync(fixture('server-a.key')), cert: readFileSync(CERT_A) };
    const server = await serve((_req, res) => sendJson(res, 200, {}), tls);
    const http = createHttpClient({ env: { HTTPS_PROXY: proxy.url, SSL_CERT_FILE: CERT_A } });
    assert.equal((await http.request({ url: server.url })).status, 200);
    assert.equal(proxy.tunnels(), 1);
    await http.close();
  });

  test('an explicit proxy option beats the environment', async () => {
    const envProxy = await startProxy();
    const optionProxy = await startProxy();
    const server = await serve((_req, res) => sendJson(res, 200, {}));
    const http = createHttpClient({ env: { HTTP_PROXY: envProxy.url }, proxy: optionProxy.url });
    await http.request({ url: server.url });
    assert.equal(envProxy.tunnels(), 0);
    assert.equal(optionProxy.tunnels(), 1);
    await http.close();
  });
});
