import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { ConfigurationError } from '../../src/errors.js';
import { createHttpClient } from '../../src/http/index.js';
import type { HttpClient } from '../../src/http/types.js';
import type { BasicAuthenticationHeaderStyle } from '../../src/token/client-authentication.js';
import { ClientCredentialsTokenRequest } from '../../src/token/grant-requests.js';
import { requestClientCredentialsToken } from '../../src/token/request-token.js';
import { ClientCredentialsTokenManager } from '../../src/token-management/index.js';
import { json, type LocalServer, type SeenRequest, startServer } from './local-server.js';

// RFC 6749 §2.3.1 form-urlencodes id and secret before Base64; glewlwyd does not decode them, django-oauth-toolkit
// does. Each server below decodes Basic one way, as those providers do, and admits only the registered secret.

const CLIENT_ID = 'svc';

/** How a provider reads `Authorization: Basic`: split at the first colon, then form-urldecode (or not). */
function decodeBasic(header: string | undefined, style: BasicAuthenticationHeaderStyle) {
  const match = /^Basic ([A-Za-z0-9+/]+=*)$/.exec(header ?? '');
  if (!match) return undefined;
  const text = Buffer.from(match[1] as string, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  const parts = [text.slice(0, colon), text.slice(colon + 1)];
  if (style === 'rfc2617') return { id: parts[0], secret: parts[1] };
  try {
    const [id, secret] = parts.map((p) => decodeURIComponent(p.replace(/\+/g, ' ')));
    return { id, secret };
  } catch {
    return undefined;
  }
}

function provider(style: BasicAuthenticationHeaderStyle, registered: () => string) {
  return (req: SeenRequest, res: ServerResponse) => {
    const credentials = decodeBasic(req.headers.authorization, style);
    if (credentials?.id === CLIENT_ID && credentials.secret === registered()) {
      json(res, 200, { access_token: `at-${style}`, token_type: 'Bearer', expires_in: 300 });
    } else {
      json(res, 401, { error: 'invalid_client' });
    }
  };
}

// The header bytes each style must produce, written out by hand (not computed with the code under test).
const CASES: ReadonlyArray<{ char: string; rfc6749: string; rfc2617: string }> = [
  { char: '+', rfc6749: 'svc:a%2Bb', rfc2617: 'svc:a+b' },
  { char: '%', rfc6749: 'svc:a%25b', rfc2617: 'svc:a%b' },
  { char: ':', rfc6749: 'svc:a%3Ab', rfc2617: 'svc:a:b' },
  { char: ' ', rfc6749: 'svc:a+b', rfc2617: 'svc:a b' },
  { char: '/', rfc6749: 'svc:a%2Fb', rfc2617: 'svc:a/b' },
  { char: 'é', rfc6749: 'svc:a%C3%A9b', rfc2617: 'svc:a\u00e9b' },
];

describe('client_secret_basic: basicAuthenticationHeaderStyle', () => {
  let secret = '';
  let decoding: LocalServer;
  let raw: LocalServer;
  let http: HttpClient;
  before(async () => {
    decoding = await startServer(provider('rfc6749', () => secret));
    raw = await startServer(provider('rfc2617', () => secret));
    http = createHttpClient({ retryCount: 0 });
  });
  after(async () => {
    await http.close();
    await decoding.close();
    await raw.close();
  });

  const send = (address: string, style?: BasicAuthenticationHeaderStyle) =>
    requestClientCredentialsToken(
      new ClientCredentialsTokenRequest({
        address,
        clientId: CLIENT_ID,
        clientSecret: secret,
        ...(style === undefined ? {} : { basicAuthenticationHeaderStyle: style }),
      }),
      http,
    );
  const arrived = (server: LocalServer) => server.requests.at(-1)?.headers.authorization;
  const basic = (text: string) => `Basic ${Buffer.from(text, 'utf8').toString('base64')}`;

  for (const { char, rfc6749, rfc2617 } of CASES) {
    test(`a secret holding ${JSON.stringify(char)}: rfc6749 (default) reaches a decoding server form-urlencoded`, async () => {
      secret = `a${char}b`;
      const byDefault = await send(decoding.url);
      assert.equal(byDefault.isSuccessful, true, byDefault.error);
      assert.equal(arrived(decoding), basic(rfc6749));
      const explicit = await send(decoding.url, 'rfc6749');
      assert.equal(explicit.isSuccessful, true, explicit.error);
      assert.equal(arrived(decoding), basic(rfc6749));
    });

    test(`a secret holding ${JSON.stringify(char)}: rfc2617 reaches a server that does not decode byte for byte`, async () => {
      secret = `a${char}b`;
      const response = await send(raw.url, 'rfc2617');
      assert.equal(response.isSuccessful, true, response.error);
      assert.equal(arrived(raw), basic(rfc2617));
      // The exact octets: UTF-8 for non-ASCII (RFC 7617 §2.1), nothing escaped.
      const header = arrived(raw) as string;
      assert.deepEqual(Buffer.from(header.slice(6), 'base64'), Buffer.from(rfc2617, 'utf8'));
    });
  }

  test('the RFC encoding is refused by a server that does not decode: the reason rfc2617 exists', async () => {
    secret = 'a+b';
    const response = await send(raw.url);
    assert.equal(response.isSuccessful, false);
    assert.equal(response.errorType, 'protocol');
    assert.equal(response.error, 'invalid_client');
  });

  test('a secret with only unreserved characters is the same in both styles', async () => {
    secret = 'plain-Secret_1.~';
    await send(decoding.url, 'rfc6749');
    const encoded = arrived(decoding);
    await send(raw.url, 'rfc2617');
    assert.equal(arrived(raw), encoded);
  });

  test('the token manager sends the style it is given', async () => {
    secret = 'a b:c';
    const manager = new ClientCredentialsTokenManager({
      tokenEndpoint: raw.url,
      clientId: CLIENT_ID,
      clientSecret: secret,
      basicAuthenticationHeaderStyle: 'rfc2617',
      httpClient: http,
    });
    try {
      const token = await manager.getToken();
      assert.equal(token.accessToken, 'at-rfc2617');
      assert.equal(arrived(raw), basic('svc:a b:c'));
    } finally {
      await manager.close();
    }
  });
});

describe('basicAuthenticationHeaderStyle is validated at construction', () => {
  const SECRET = 'top-secret-value';
  const base = { address: 'http://127.0.0.1:1/token', clientSecret: SECRET };
  const refusedWithoutSecret = (build: () => unknown, message: RegExp) =>
    assert.throws(build, (err: unknown) => {
      assert.ok(err instanceof ConfigurationError);
      assert.match(err.message, message);
      assert.ok(!err.message.includes(SECRET), 'the secret is not in the message');
      return true;
    });

  test("rfc2617 cannot carry a client_id containing ':' (the server splits at the first colon)", () => {
    refusedWithoutSecret(
      () =>
        new ClientCredentialsTokenRequest({
          ...base,
          clientId: 'tenant:svc',
          basicAuthenticationHeaderStyle: 'rfc2617',
        }),
      /clientId: contains ':'.*rfc6749/,
    );
    // The RFC style can: the colon is percent-encoded.
    assert.ok(new ClientCredentialsTokenRequest({ ...base, clientId: 'tenant:svc' }));
  });

  test('rfc2617 refuses control characters (RFC 7617 §2) without echoing the secret', () => {
    refusedWithoutSecret(
      () =>
        new ClientCredentialsTokenRequest({
          ...base,
          clientId: 'svc',
          clientSecret: `${SECRET}\r\nx-injected: 1`,
          basicAuthenticationHeaderStyle: 'rfc2617',
        }),
      /control characters/,
    );
  });

  test('an unknown style is a ConfigurationError that names the choices', () => {
    refusedWithoutSecret(
      () =>
        new ClientCredentialsTokenRequest({
          ...base,
          clientId: 'svc',
          basicAuthenticationHeaderStyle: 'raw' as BasicAuthenticationHeaderStyle,
        }),
      /basicAuthenticationHeaderStyle: "raw" is not one of rfc6749 \(the default\), rfc2617/,
    );
  });

  test('the token manager refuses an unrepresentable client_id when it is built, not on first use', () => {
    refusedWithoutSecret(
      () =>
        new ClientCredentialsTokenManager({
          tokenEndpoint: base.address,
          clientId: 'tenant:svc',
          clientSecret: SECRET,
          basicAuthenticationHeaderStyle: 'rfc2617',
        }),
      /clientId: contains ':'/,
    );
    refusedWithoutSecret(
      () =>
        new ClientCredentialsTokenManager({
          tokenEndpoint: base.address,
          clientId: 'svc',
          clientSecret: SECRET,
          basicAuthenticationHeaderStyle: 'RFC2617' as BasicAuthenticationHeaderStyle,
        }),
      /basicAuthenticationHeaderStyle/,
    );
  });
});
