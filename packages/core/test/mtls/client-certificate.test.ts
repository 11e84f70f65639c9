import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Agent } from 'undici';
import { createTestPki, type TestCertificate, type TestPki } from '../../../../test/support/certificates.js';
import { ConfigurationError } from '../../src/errors.js';
import { createHttpClient } from '../../src/http/index.js';
import { certificateThumbprint } from '../../src/mtls/index.js';
import { type MtlsServer, sendJson, startMtlsServer } from './mtls-server.js';

/** The base64 body of a PEM, which no error message may contain. */
function pemBody(pem: string): string {
  return pem
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('-----'))
    .join('');
}

function configError(fn: () => unknown, mentions: RegExp, secret?: TestCertificate): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ConfigurationError, `expected ConfigurationError, got ${String(error)}`);
    assert.match(error.message, mentions);
    if (secret) {
      const key = pemBody(secret.key);
      for (const text of [error.message, String(error.cause ?? '')]) {
        assert.ok(!text.includes(key.slice(0, 40)), 'key material in the error');
      }
      if (secret.passphrase) assert.ok(!error.message.includes(secret.passphrase));
    }
    return true;
  });
}

describe('HttpClientOptions.clientCertificate (RFC 8705 mutual TLS)', () => {
  let pki: TestPki;
  let server: MtlsServer;
  let client: TestCertificate;
  before(async () => {
    pki = await createTestPki();
    client = await pki.issue('svc-http');
    server = await startMtlsServer(pki, (_req, res) => sendJson(res, 200, { ok: true }));
  });
  after(async () => {
    await server.close();
    await pki.cleanup();
  });

  test('the certificate is presented in the TLS handshake to a server that requires one', async () => {
    const http = createHttpClient({ env: {}, ca: pki.ca.cert, clientCertificate: client });
    try {
      const response = await http.request({ url: `${server.origin}/hello` });
      assert.equal(response.status, 200);
      const seen = server.requests.at(-1);
      assert.equal(seen?.peerSubject, 'CN=svc-http');
      assert.equal(seen?.authorized, true);
      assert.equal(http.clientCertificateThumbprint, certificateThumbprint(client.cert));
      assert.equal(certificateThumbprint(seen?.peerRaw ?? ''), http.clientCertificateThumbprint);
    } finally {
      await http.close();
    }
  });

  test('without a certificate the same server refuses the handshake (http_network), and no thumbprint is claimed', async () => {
    const http = createHttpClient({ env: {}, ca: pki.ca.cert, retryCount: 0 });
    try {
      assert.equal(http.clientCertificateThumbprint, undefined);
      await assert.rejects(http.request({ url: `${server.origin}/hello` }), { code: 'http_network' });
    } finally {
      await http.close();
    }
  });

  test('an encrypted key works with its passphrase', async () => {
    const locked = await pki.issue('svc-locked', { passphrase: 'correct horse' });
    const http = createHttpClient({ env: {}, ca: pki.ca.cert, clientCertificate: locked });
    try {
      assert.equal((await http.request({ url: `${server.origin}/locked` })).status, 200);
      assert.equal(server.requests.at(-1)?.peerSubject, 'CN=svc-locked');
    } finally {
      await http.close();
    }
  });

  test('an encrypted key without, or with a wrong, passphrase is a ConfigurationError naming the passphrase', async () => {
    const locked = await pki.issue('svc-locked-2', { passphrase: 'correct horse' });
    const { passphrase: _omitted, ...withoutPassphrase } = locked;
    configError(
      () => createHttpClient({ env: {}, clientCertificate: withoutPassphrase }),
      /clientCertificate\.key: .*passphrase/,
      locked,
    );
    configError(
      () => createHttpClient({ env: {}, clientCertificate: { ...locked, passphrase: 'wrong' } }),
      /clientCertificate\.key/,
      { ...locked, passphrase: 'wrong' },
    );
  });

  test('a key that does not belong to the certificate is refused at construction, without showing either', async () => {
    const other = await pki.issue('svc-other');
    configError(
      () => createHttpClient({ env: {}, clientCertificate: { cert: client.cert, key: other.key } }),
      /clientCertificate\.key: does not belong to/,
      other,
    );
  });

  test('malformed inputs are ConfigurationErrors naming the field', () => {
    configError(
      () => createHttpClient({ env: {}, clientCertificate: null as never }),
      /clientCertificate: an object/,
    );
    configError(
      () => createHttpClient({ env: {}, clientCertificate: { cert: 'not a pem', key: client.key } }),
      /clientCertificate\.cert: a PEM certificate/,
    );
    configError(
      () =>
        createHttpClient({
          env: {},
          clientCertificate: {
            cert: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
            key: client.key,
          },
        }),
      /clientCertificate\.cert: not a readable/,
    );
    configError(
      () => createHttpClient({ env: {}, clientCertificate: { cert: client.cert, key: '' } }),
      /clientCertificate\.key: a PEM private key/,
    );
    configError(
      () => createHttpClient({ env: {}, clientCertificate: { cert: client.cert, key: 'garbage' } }),
      /clientCertificate\.key: not a PEM private key/,
    );
    configError(
      () => createHttpClient({ env: {}, clientCertificate: { ...client, passphrase: 7 as never } }),
      /clientCertificate\.passphrase/,
    );
  });

  test('an expired certificate is refused at construction, saying when it expired', async () => {
    const expired = await pki.expired('svc-expired');
    configError(() => createHttpClient({ env: {}, clientCertificate: expired }), /expired on Jan +2 .*2020/);
  });

  test('a certificate cannot be combined with a dispatcher of your own (it would be silently ignored)', async () => {
    const dispatcher = new Agent();
    try {
      configError(
        () => createHttpClient({ env: {}, dispatcher, clientCertificate: client }),
        /clientCertificate: cannot be applied to a dispatcher/,
      );
    } finally {
      await dispatcher.close();
    }
  });
});
