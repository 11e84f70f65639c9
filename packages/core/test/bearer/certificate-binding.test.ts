import assert from 'node:assert/strict';
import {
  createServer as createHttpServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { secretIssuer } from '../../../../test/adapters/support/secret-tokens.js';
import { createTestPki, type TestCertificate, type TestPki } from '../../../../test/support/certificates.js';
import type { BearerAuthOptions } from '../../src/bearer/authenticator.js';
import { type BearerAuthenticator, createBearerAuthenticator } from '../../src/bearer/authenticator.js';
import type { BearerError } from '../../src/bearer/bearer-error.js';
import { certificateThumbprint } from '../../src/mtls/thumbprint.js';

const issuer = secretIssuer('mtls');

/** Authenticates each request with `auth` and answers `{ status, binding, cause }` as JSON. */
function handler(auth: BearerAuthenticator) {
  return (req: IncomingMessage, res: ServerResponse) => {
    auth
      .authenticate({
        method: req.method,
        url: req.url,
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        socket: req.socket,
      })
      .then(
        (ok) => res.writeHead(200).end(JSON.stringify({ binding: ok?.binding })),
        (error: unknown) => {
          const refusal = error as BearerError;
          res
            .writeHead(refusal.status, refusal.headers)
            .end(JSON.stringify({ cause: (refusal.cause as { code?: string })?.code }));
        },
      );
  };
}

interface Answer {
  status: number;
  body: { binding?: unknown; cause?: string };
  challenge: string | undefined;
}

function read(res: IncomingMessage): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let text = '';
    res.on('data', (c: Buffer) => {
      text += c.toString();
    });
    res.on('end', () =>
      resolve({
        status: res.statusCode ?? 0,
        body: JSON.parse(text),
        challenge: res.headers['www-authenticate'] as string | undefined,
      }),
    );
    res.on('error', reject);
  });
}

describe('mTLS-bound tokens (RFC 8705 §3) over real TLS on 127.0.0.1', () => {
  let pki: TestPki;
  let client: TestCertificate;
  let stranger: TestCertificate;
  const closers: (() => Promise<void>)[] = [];

  before(async () => {
    pki = await createTestPki();
    client = await pki.issue('svc-bound');
    stranger = await pki.issue('svc-other');
  });
  after(async () => {
    for (const close of closers) await close();
    await pki.cleanup();
  });

  async function tlsServer(options: Partial<BearerAuthOptions> = {}): Promise<number> {
    const auth = createBearerAuthenticator({ ...issuer.options, ...options } as BearerAuthOptions);
    const server = createServer(
      {
        cert: pki.server.cert,
        key: pki.server.key,
        ca: pki.ca.cert,
        requestCert: true,
        rejectUnauthorized: false,
      },
      handler(auth),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await auth.close();
    });
    return (server.address() as AddressInfo).port;
  }

  function call(port: number, token: string, certificate?: TestCertificate): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/',
          ca: pki.ca.cert,
          agent: false,
          headers: { authorization: `Bearer ${token}` },
          ...(certificate ? { cert: certificate.cert, key: certificate.key } : {}),
        },
        (res) => read(res).then(resolve, reject),
      );
      req.on('error', reject);
      req.end();
    });
  }

  const boundToken = () => issuer.sign({ cnf: { 'x5t#S256': certificateThumbprint(client.cert) } });

  test('the certificate the token is bound to passes, with binding mtls', async () => {
    const port = await tlsServer();
    const answer = await call(port, await boundToken(), client);
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body.binding, { method: 'mtls', thumbprint: certificateThumbprint(client.cert) });
  });

  test('certificate thumbprint mismatch: another client certificate → 401 invalid_token', async () => {
    const port = await tlsServer();
    const answer = await call(port, await boundToken(), stranger);
    assert.equal(answer.status, 401);
    assert.equal(answer.body.cause, 'certificate_mismatch');
    assert.equal(
      answer.challenge,
      'Bearer error="invalid_token", error_description="The access token is bound to a client certificate this request did not present", DPoP algs="ES256 ES384 PS256 RS256 EdDSA"',
    );
  });

  test('no client certificate → 401 invalid_token (certificate_missing)', async () => {
    const port = await tlsServer();
    const answer = await call(port, await boundToken());
    assert.equal(answer.status, 401);
    assert.equal(answer.body.cause, 'certificate_missing');
  });

  test('a token without cnf passes without a certificate and without binding', async () => {
    const port = await tlsServer();
    const answer = await call(port, await issuer.sign());
    assert.equal(answer.status, 200);
    assert.equal(answer.body.binding, undefined);
  });

  test('getCertificate supplies the certificate when TLS ends elsewhere', async () => {
    const port = await tlsServer({ mtls: { getCertificate: () => client.cert } });
    assert.equal((await call(port, await boundToken())).status, 200);
  });

  describe('behind a proxy: the certificate header', () => {
    async function plainServer(trustedProxies: string[]): Promise<number> {
      const auth = createBearerAuthenticator({
        ...issuer.options,
        trustedProxies,
        mtls: { certificateHeader: 'X-Client-Cert' },
      });
      const server = createHttpServer(handler(auth));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      closers.push(async () => {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
        await auth.close();
      });
      return (server.address() as AddressInfo).port;
    }

    function viaProxy(port: number, token: string, certificateHeader: string): Promise<Answer> {
      return new Promise((resolve, reject) => {
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port,
            path: '/',
            agent: false,
            headers: { authorization: `Bearer ${token}`, 'x-client-cert': certificateHeader },
          },
          (res) => read(res).then(resolve, reject),
        );
        req.on('error', reject);
        req.end();
      });
    }

    test('URL-encoded PEM from a trusted proxy is believed', async () => {
      const port = await plainServer(['127.0.0.1']);
      const answer = await viaProxy(port, await boundToken(), encodeURIComponent(client.cert));
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body.binding, {
        method: 'mtls',
        thumbprint: certificateThumbprint(client.cert),
      });
    });

    test('certificate header spoof from an untrusted peer is ignored → certificate_missing', async () => {
      const port = await plainServer(['10.0.0.0/8']);
      const answer = await viaProxy(port, await boundToken(), encodeURIComponent(client.cert));
      assert.equal(answer.status, 401);
      assert.equal(answer.body.cause, 'certificate_missing');
    });

    test('a garbage certificate header → 401 certificate_missing, never a crash', async () => {
      const port = await plainServer(['127.0.0.1']);
      const answer = await viaProxy(port, await boundToken(), '%E0%A4%A');
      assert.equal(answer.status, 401);
      assert.equal(answer.body.cause, 'certificate_missing');
    });
  });

  test('a certificate header without trustedProxies is a ConfigurationError', () => {
    assert.throws(
      () => createBearerAuthenticator({ ...issuer.options, mtls: { certificateHeader: 'x-client-cert' } }),
      /trustedProxies/,
    );
  });
});
