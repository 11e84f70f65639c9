import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, beforeEach, describe, test } from 'node:test';
import { inspect } from 'node:util';
import { OidcConstants } from '../../src/constants/oidc-constants.js';
import { ConfigurationError } from '../../src/errors.js';
import { createHttpClient } from '../../src/http/index.js';
import type { HttpClient } from '../../src/http/types.js';
import {
  ClientConfigurationRequest,
  ClientRegistrationRequest,
  type ClientRegistrationResponse,
  registerClient,
} from '../../src/registration/index.js';
import { completeDocument } from '../discovery/documents.js';
import { freePort } from '../http/local-server.js';
import { json, type LocalServer, type SeenRequest, startServer } from '../token/local-server.js';

// RFC 7591 registration against a loopback server: every answer a server may give, and every fault.

const SECRET = 'cs_7f6e5d4c3b2a_secret';
const RAT = 'rat_0a9b8c7d6e5f_token';
const IAT = 'iat_1122334455_token';
type Answer = (req: SeenRequest, res: ServerResponse) => void;

describe('client registration (RFC 7591)', () => {
  let server: LocalServer;
  let http: HttpClient;
  let answer: Answer = (_req, res) => res.end();
  const information = (extra: Record<string, unknown> = {}) => ({
    client_id: 'c-1',
    client_secret: SECRET,
    client_id_issued_at: 1_700_000_000,
    client_secret_expires_at: 0,
    registration_access_token: RAT,
    registration_client_uri: `${server.origin}/reg/c-1`,
    redirect_uris: ['https://app.example/cb'],
    client_name: 'App',
    'client_name#fr': 'Appli',
    ...extra,
  });
  const register = (
    extra: Record<string, unknown> = {},
    client = http,
  ): Promise<ClientRegistrationResponse> =>
    registerClient(
      new ClientRegistrationRequest({
        address: `${server.origin}/reg`,
        metadata: { redirect_uris: ['https://app.example/cb'], client_name: 'App' },
        ...extra,
      }),
      client,
    );

  before(async () => {
    server = await startServer((req, res) => {
      if (req.path.startsWith('/.well-known/')) {
        json(res, 200, completeDocument(server.origin, { registration_endpoint: `${server.origin}/reg` }));
      } else answer(req, res);
    });
    http = createHttpClient({ retryCount: 2, retryBaseDelayMs: 1 });
  });
  beforeEach(() => {
    server.requests.length = 0;
  });
  after(async () => {
    await http.close();
    await server.close();
  });

  test('open registration POSTs the metadata as JSON, without Authorization; a 201 is typed', async () => {
    answer = (_req, res) => json(res, 201, information());
    const response = await register();
    assert.equal(response.isSuccessful, true, response.error);
    assert.equal(response.httpStatus, 201);
    assert.equal(response.clientId, 'c-1');
    assert.equal(response.clientSecret, SECRET);
    assert.equal(response.clientIdIssuedAt, 1_700_000_000);
    assert.equal(response.clientSecretExpiresAt, 0);
    assert.equal(response.registrationAccessToken, RAT);
    assert.equal(response.registrationClientUri, `${server.origin}/reg/c-1`);
    // metadata: every member that is not client information, language tags included; frozen.
    assert.deepEqual(response.metadata, {
      redirect_uris: ['https://app.example/cb'],
      client_name: 'App',
      'client_name#fr': 'Appli',
    });
    assert.ok(Object.isFrozen(response.metadata) && Object.isFrozen(response.metadata.redirect_uris));
    const [seen] = server.requests;
    assert.equal(seen?.method, 'POST');
    assert.equal(seen?.headers['content-type'], 'application/json');
    assert.equal(seen?.headers.accept, 'application/json');
    assert.equal(seen?.headers.authorization, undefined);
    assert.deepEqual(JSON.parse(seen?.body ?? ''), {
      redirect_uris: ['https://app.example/cb'],
      client_name: 'App',
    });
  });

  test('the initial access token goes as a Bearer token and never shows in the request', async () => {
    answer = (_req, res) => json(res, 201, information());
    const request = new ClientRegistrationRequest({
      address: `${server.origin}/reg`,
      metadata: { client_name: 'App', client_secret: 'proposed-secret' },
      initialAccessToken: IAT,
    });
    const response = await registerClient(request, http);
    assert.equal(response.isSuccessful, true, response.error);
    assert.equal(server.requests[0]?.headers.authorization, `Bearer ${IAT}`);
    for (const shown of [inspect(request, { depth: 10 }), JSON.stringify(request)]) {
      assert.ok(!shown.includes(IAT) && !shown.includes('proposed-secret'), shown);
    }
  });

  test('the client secret and registration access token never show in the response', async () => {
    answer = (_req, res) => json(res, 201, information());
    const response = await register();
    for (const shown of [inspect(response, { depth: 10 }), JSON.stringify(response)]) {
      assert.ok(!shown.includes(SECRET) && !shown.includes(RAT), shown);
      assert.match(shown, /\*\*\*/);
    }
  });

  test('a 200 is accepted as well as 201 (glewlwyd answers 200)', async () => {
    answer = (_req, res) => json(res, 200, information());
    const response = await register();
    assert.equal(response.isSuccessful, true, response.error);
    assert.equal(response.httpStatus, 200);
  });

  test('with authority, the registration_endpoint comes from discovery', async () => {
    answer = (_req, res) => json(res, 201, information());
    const response = await registerClient(
      new ClientRegistrationRequest({
        authority: server.origin,
        discoveryPolicy: { requireHttps: false },
        metadata: { client_name: 'App' },
      }),
      http,
    );
    assert.equal(response.isSuccessful, true, response.error);
    assert.deepEqual(
      server.requests.map((r) => r.path),
      ['/.well-known/openid-configuration', '/reg'],
    );
  });

  test('each RFC 7591 error code is a typed protocol error', async () => {
    for (const code of Object.values(OidcConstants.RegistrationErrors)) {
      answer = (_req, res) => json(res, 400, { error: code, error_description: 'refused' });
      const response = await register();
      assert.equal(response.errorType, 'protocol');
      assert.equal(response.error, code);
      assert.equal(response.errorDescription, 'refused');
      assert.equal(response.clientId, undefined);
    }
  });

  test('a 401 without a JSON body (initial access token refused) is an http failure', async () => {
    answer = (_req, res) => {
      res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' });
      res.end();
    };
    const response = await register({ initialAccessToken: IAT });
    assert.equal(response.errorType, 'http');
    assert.equal(response.httpStatus, 401);
    assert.equal(response.headers['www-authenticate'], 'Bearer error="invalid_token"');
  });

  test('attack: a registration_client_uri on another origin is refused, so the token is never sent there', async () => {
    answer = (_req, res) =>
      json(res, 201, information({ registration_client_uri: 'https://attacker.example/reg/c-1' }));
    const response = await register();
    assert.equal(response.isSuccessful, false);
    assert.equal(response.errorType, 'exception');
    assert.match(response.error ?? '', /registration_client_uri is on https:\/\/attacker\.example/);
    assert.match(response.error ?? '', /allowedManagementOrigins/);
    // Nothing to hand to a management request; the body is still in raw (masked when printed).
    assert.equal(response.registrationAccessToken, undefined);
    assert.equal(response.registrationClientUri, undefined);
    assert.equal(response.clientSecret, undefined);
    assert.equal(response.raw?.client_id, 'c-1');
    assert.ok(!inspect(response, { depth: 10 }).includes(RAT));
    assert.throws(() => ClientConfigurationRequest.fromResponse(response), ConfigurationError);
  });

  test('a registration_client_uri elsewhere is accepted when its origin is allowed', async () => {
    answer = (_req, res) =>
      json(res, 201, information({ registration_client_uri: 'https://manage.example/reg/c-1' }));
    const response = await register({ allowedManagementOrigins: ['https://manage.example'] });
    assert.equal(response.isSuccessful, true, response.error);
    assert.equal(response.registrationClientUri, 'https://manage.example/reg/c-1');
  });

  test('attack: a registration_client_uri over plain http to a non-loopback host is refused', async () => {
    for (const uri of ['http://manage.example/reg/c-1', 'https://user:pw@manage.example/reg', 'not a url']) {
      answer = (_req, res) => json(res, 201, information({ registration_client_uri: uri }));
      const response = await register({ allowedManagementOrigins: ['https://manage.example'] });
      assert.equal(response.errorType, 'exception', uri);
      assert.equal(response.registrationAccessToken, undefined);
    }
  });

  test('a 2xx that is not a client information response is an exception', async () => {
    const cases: Array<[Answer, RegExp]> = [
      [(_req, res) => json(res, 201, { client_name: 'x' }), /no client_id/],
      [(_req, res) => json(res, 201, { client_id: 42 }), /client_id is a number/],
      [(_req, res) => json(res, 201, information({ client_secret: ['x'] })), /client_secret is an array/],
      [(_req, res) => json(res, 201, information({ client_id_issued_at: -1 })), /client_id_issued_at/],
      [(_req, res) => json(res, 201, information({ client_secret_expires_at: 'soon' })), /expires_at/],
      [
        (_req, res) => {
          res.writeHead(201, { 'content-type': 'text/html' });
          res.end(`<p>${SECRET}</p>`);
        },
        /without a JSON object/,
      ],
    ];
    for (const [reply, message] of cases) {
      answer = reply;
      const response = await register();
      assert.equal(response.errorType, 'exception');
      assert.match(response.error ?? '', message);
      assert.ok(!(response.error ?? '').includes(SECRET));
    }
  });

  test('hostile timestamps are clamped to a finite date', async () => {
    answer = (_req, res) => {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(information()).replace(
          '"client_secret_expires_at":0',
          '"client_secret_expires_at":1e400',
        ),
      );
    };
    const response = await register();
    assert.equal(response.isSuccessful, true, response.error);
    assert.equal(response.clientSecretExpiresAt, 253_402_300_799);
  });

  test('not resent once it may have reached the server: a second client would be created', async () => {
    answer = (_req, res) => res.socket?.destroy();
    const response = await register();
    assert.equal(response.errorType, 'http');
    assert.equal(server.requests.length, 1);
    answer = (_req, res) => {
      res.writeHead(503, { 'retry-after': '0' });
      res.end();
    };
    server.requests.length = 0;
    const unavailable = await register();
    assert.equal(unavailable.errorType, 'http');
    assert.equal(unavailable.httpStatus, 503);
    assert.equal(unavailable.retryAfter, 0);
    assert.equal(server.requests.length, 1);
  });

  test('connection refused is an http failure, never a throw', async () => {
    const port = await freePort();
    const response = await registerClient(
      new ClientRegistrationRequest({ address: `http://127.0.0.1:${port}/reg`, metadata: {} }),
      createHttpClient({ retryCount: 0 }),
    );
    assert.equal(response.errorType, 'http');
  });
});
