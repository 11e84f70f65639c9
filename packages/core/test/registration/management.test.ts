import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, beforeEach, describe, test } from 'node:test';
import { inspect } from 'node:util';
import { ConfigurationError } from '../../src/errors.js';
import { createHttpClient } from '../../src/http/index.js';
import type { HttpClient } from '../../src/http/types.js';
import {
  ClientConfigurationRequest,
  ClientRegistrationRequest,
  ClientUpdateRequest,
  deleteClient,
  readClient,
  registerClient,
  updateClient,
} from '../../src/registration/index.js';
import { json, type LocalServer, type SeenRequest, startServer } from '../token/local-server.js';

// RFC 7592 read, update and delete against a loopback server: methods, the Bearer token, the bodies, the
// faults, and the origin rule that keeps the registration access token on the server that issued it.

const RAT = 'rat_5e4d3c2b1a_token';
const SECRET = 'cs_99887766_secret';
type Answer = (req: SeenRequest, res: ServerResponse) => void;

describe('client management (RFC 7592)', () => {
  let server: LocalServer;
  let elsewhere: LocalServer;
  let http: HttpClient;
  let answer: Answer = (_req, res) => res.end();
  const info = (extra: Record<string, unknown> = {}) => ({
    client_id: 'c-1',
    client_secret: SECRET,
    client_secret_expires_at: 0,
    registration_access_token: RAT,
    registration_client_uri: `${server.origin}/reg/c-1`,
    client_name: 'App',
    redirect_uris: ['https://app.example/cb'],
    logo_uri: 'https://app.example/logo.png',
    ...extra,
  });
  const configuration = (extra: Record<string, unknown> = {}) =>
    new ClientConfigurationRequest({
      registrationClientUri: `${server.origin}/reg/c-1`,
      registrationAccessToken: RAT,
      ...extra,
    });
  const update = (metadata: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
    new ClientUpdateRequest({
      registrationClientUri: `${server.origin}/reg/c-1`,
      registrationAccessToken: RAT,
      clientId: 'c-1',
      metadata,
      ...extra,
    });
  const registered = async () => {
    answer = (_req, res) => json(res, 201, info());
    const response = await registerClient(
      new ClientRegistrationRequest({ address: `${server.origin}/reg`, metadata: { client_name: 'App' } }),
      http,
    );
    assert.equal(response.isSuccessful, true, response.error);
    server.requests.length = 0;
    return response;
  };

  before(async () => {
    server = await startServer((req, res) => answer(req, res));
    elsewhere = await startServer((_req, res) => json(res, 200, info()));
    http = createHttpClient({ retryCount: 2, retryBaseDelayMs: 1 });
  });
  beforeEach(() => {
    server.requests.length = 0;
    elsewhere.requests.length = 0;
  });
  after(async () => {
    await http.close();
    await Promise.all([server.close(), elsewhere.close()]);
  });

  test('readClient GETs the registration_client_uri with the registration access token', async () => {
    const request = ClientConfigurationRequest.fromResponse(await registered());
    answer = (_req, res) => json(res, 200, info());
    const response = await readClient(request, http);
    assert.equal(response.isSuccessful, true, response.error);
    assert.equal(response.clientId, 'c-1');
    assert.equal(response.metadata.client_name, 'App');
    const [seen] = server.requests;
    assert.equal(seen?.method, 'GET');
    assert.equal(seen?.path, '/reg/c-1');
    assert.equal(seen?.headers.authorization, `Bearer ${RAT}`);
    assert.equal(seen?.body, '');
  });

  test('updateClient PUTs the whole metadata with client_id, and no client information members', async () => {
    const before = await registered();
    answer = (_req, res) =>
      json(
        res,
        200,
        info({ client_name: 'Renamed', logo_uri: undefined, registration_access_token: 'rotated' }),
      );
    const response = await updateClient(
      ClientUpdateRequest.fromResponse(before, { client_name: 'Renamed', logo_uri: undefined }),
      http,
    );
    assert.equal(response.isSuccessful, true, response.error);
    assert.equal(response.metadata.client_name, 'Renamed');
    assert.equal(response.registrationAccessToken, 'rotated');
    const [seen] = server.requests;
    assert.equal(seen?.method, 'PUT');
    assert.equal(seen?.headers['content-type'], 'application/json');
    assert.equal(seen?.headers.authorization, `Bearer ${RAT}`);
    assert.deepEqual(JSON.parse(seen?.body ?? ''), {
      client_name: 'Renamed',
      redirect_uris: ['https://app.example/cb'],
      client_id: 'c-1',
    });
  });

  test('an update sends client_secret only when given, and masks it', async () => {
    answer = (_req, res) => json(res, 200, info());
    const request = new ClientUpdateRequest({
      registrationClientUri: `${server.origin}/reg/c-1`,
      registrationAccessToken: RAT,
      clientId: 'c-1',
      clientSecret: SECRET,
      metadata: { client_name: 'App' },
    });
    await updateClient(request, http);
    assert.equal(JSON.parse(server.requests[0]?.body ?? '').client_secret, SECRET);
    for (const shown of [inspect(request, { depth: 10 }), JSON.stringify(request)]) {
      assert.ok(!shown.includes(SECRET) && !shown.includes(RAT), shown);
    }
  });

  test('deleteClient sends DELETE; 204 is success', async () => {
    answer = (_req, res) => {
      res.writeHead(204);
      res.end();
    };
    const response = await deleteClient(configuration(), http);
    assert.equal(response.isSuccessful, true, response.error);
    assert.equal(response.httpStatus, 204);
    assert.equal(server.requests[0]?.method, 'DELETE');
    assert.equal(server.requests[0]?.headers.authorization, `Bearer ${RAT}`);
  });

  test('a token the server no longer knows is a protocol failure with its 401', async () => {
    answer = (_req, res) =>
      json(res, 401, { error: 'invalid_token' }, { 'www-authenticate': 'Bearer error="invalid_token"' });
    for (const send of [() => readClient(configuration(), http), () => deleteClient(configuration(), http)]) {
      const response = await send();
      assert.equal(response.errorType, 'protocol');
      assert.equal(response.error, 'invalid_token');
      assert.equal(response.httpStatus, 401);
    }
  });

  test('attack: a read answer that moves registration_client_uri to another origin is refused', async () => {
    answer = (_req, res) => json(res, 200, info({ registration_client_uri: `${elsewhere.origin}/reg/c-1` }));
    const response = await readClient(configuration(), http);
    assert.equal(response.errorType, 'exception');
    assert.match(
      response.error ?? '',
      /registration_client_uri is on http:\/\/127\.0\.0\.1:\d+, not the origin/,
    );
    assert.equal(response.registrationAccessToken, undefined);
    assert.throws(() => ClientConfigurationRequest.fromResponse(response), ConfigurationError);
    // allowed explicitly, it is accepted
    const allowed = await readClient(configuration({ allowedManagementOrigins: [elsewhere.origin] }), http);
    assert.equal(allowed.isSuccessful, true, allowed.error);
  });

  test('attack: a redirect from the configuration endpoint is not followed with the token', async () => {
    answer = (_req, res) => {
      res.writeHead(307, { location: `${elsewhere.origin}/reg/c-1` });
      res.end();
    };
    for (const send of [
      () => readClient(configuration(), http),
      () => deleteClient(configuration(), http),
      () => updateClient(update(), http),
    ]) {
      const response = await send();
      assert.equal(response.errorType, 'http');
      assert.equal(response.httpStatus, 307);
    }
    assert.equal(elsewhere.requests.length, 0);
  });

  test('a read is retried on 503; an update and a delete are not (a rotated token would be lost)', async () => {
    let calls = 0;
    answer = (_req, res) => {
      calls++;
      if (calls === 1) {
        res.writeHead(503, { 'retry-after': '0' });
        res.end();
      } else json(res, 200, info());
    };
    assert.equal((await readClient(configuration(), http)).isSuccessful, true);
    assert.equal(server.requests.length, 2);
    for (const send of [() => deleteClient(configuration(), http), () => updateClient(update(), http)]) {
      calls = 0;
      server.requests.length = 0;
      const response = await send();
      assert.equal(response.httpStatus, 503);
      assert.equal(response.retryAfter, 0);
      assert.equal(server.requests.length, 1);
    }
  });

  test('a 2xx read that is not a client information response is an exception', async () => {
    answer = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html></html>');
    };
    const response = await readClient(configuration(), http);
    assert.equal(response.errorType, 'exception');
  });

  test('bad options are ConfigurationErrors that say what to change', () => {
    assert.throws(
      () => configuration({ registrationClientUri: 'http://manage.example/reg/c-1' }),
      /registrationClientUri: must be https \(http only on a loopback host\)/,
    );
    assert.throws(() => configuration({ registrationClientUri: 'nope' }), /registrationClientUri/);
    assert.throws(() => configuration({ registrationAccessToken: '' }), /registrationAccessToken/);
    assert.throws(() => configuration({ registrationAccessToken: 'a b' }), /registrationAccessToken/);
    for (const member of [
      'registration_access_token',
      'registration_client_uri',
      'client_secret_expires_at',
      'client_id_issued_at',
      'client_id',
      'client_secret',
    ]) {
      assert.throws(() => update({ [member]: 'x' }), new RegExp(`metadata\\.${member}: client information`));
    }
    assert.throws(() => update({}, { clientId: '' }), /clientId/);
    assert.throws(() => update({ grant_types: 'x' }), /metadata\.grant_types/);
  });
});
