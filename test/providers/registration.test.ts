/**
 * RFC 7591 registration and RFC 7592 management against real providers: oidc-provider (open registration
 * with management; it rotates the registration access token on every update) and glewlwyd (open
 * registration answering 200, management enabled in the fixture). Each registered client is proven real by
 * getting a token with its credentials.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ClientConfigurationRequest,
  ClientCredentialsTokenRequest,
  type ClientMetadata,
  ClientRegistrationRequest,
  type ClientRegistrationResponse,
  ClientUpdateRequest,
  createHttpClient,
  DiscoveryDocumentRequest,
  deleteClient,
  getDiscoveryDocument,
  type HttpClient,
  readClient,
  registerClient,
  requestClientCredentialsToken,
  updateClient,
} from '@identity-model/core';
import { startGlewlwyd, type TestGlewlwyd } from '../support/glewlwyd.js';
import { startIdp, type TestIdp } from '../support/idp.js';
import { providerSkip } from '../support/providers-available.js';

const SERVICE: ClientMetadata = {
  client_name: 'registered service',
  grant_types: ['client_credentials'],
  response_types: [],
  redirect_uris: [],
  token_endpoint_auth_method: 'client_secret_basic',
  scope: 'read',
};

describe('registration: oidc-provider (open, with management)', () => {
  let idp: TestIdp;
  let http: HttpClient;
  const register = (metadata: ClientMetadata = SERVICE) =>
    registerClient(new ClientRegistrationRequest({ authority: idp.issuer, metadata }), http);
  const tokenFor = (client: ClientRegistrationResponse) =>
    requestClientCredentialsToken(
      new ClientCredentialsTokenRequest({
        address: `${idp.issuer}/token`,
        clientId: client.clientId as string,
        clientSecret: client.clientSecret as string,
        scope: 'read',
      }),
      http,
    );

  before(async () => {
    http = createHttpClient({ retryCount: 0 });
    idp = await startIdp();
  });
  after(async () => {
    await http.close();
    await idp.close();
  });

  test('its discovery document names the registration endpoint', async () => {
    const doc = await getDiscoveryDocument(new DiscoveryDocumentRequest({ address: idp.issuer }), http);
    assert.equal(doc.registrationEndpoint, `${idp.issuer}/reg`);
  });

  test('register, read, update, delete, then read is 401', async () => {
    idp.resetCounts();
    const registered = await register();
    assert.equal(registered.isSuccessful, true, `${registered.httpStatus} ${registered.error}`);
    assert.equal(registered.httpStatus, 201);
    assert.ok(registered.clientId && registered.clientSecret && registered.registrationAccessToken);
    assert.equal(registered.clientSecretExpiresAt, 0);
    assert.ok(registered.clientIdIssuedAt && registered.clientIdIssuedAt > 1_700_000_000);
    assert.equal(registered.registrationClientUri, `${idp.issuer}/reg/${registered.clientId}`);
    assert.equal(registered.metadata.client_name, 'registered service');
    assert.deepEqual(registered.metadata.grant_types, ['client_credentials']);
    assert.equal((await tokenFor(registered)).isSuccessful, true);

    const read = await readClient(ClientConfigurationRequest.fromResponse(registered), http);
    assert.equal(read.isSuccessful, true, `${read.httpStatus} ${read.error}`);
    assert.equal(read.clientId, registered.clientId);
    assert.equal(read.metadata.client_name, 'registered service');

    const updated = await updateClient(
      ClientUpdateRequest.fromResponse(read, { client_name: 'renamed service' }),
      http,
    );
    assert.equal(updated.isSuccessful, true, `${updated.httpStatus} ${updated.error}`);
    assert.equal(updated.metadata.client_name, 'renamed service');
    assert.equal(updated.clientSecret, registered.clientSecret);
    // oidc-provider rotates the registration access token on update: the old one is dead.
    assert.notEqual(updated.registrationAccessToken, registered.registrationAccessToken);
    const stale = await readClient(ClientConfigurationRequest.fromResponse(registered), http);
    assert.equal(stale.errorType, 'protocol');
    assert.equal(stale.httpStatus, 401);
    assert.equal(stale.error, 'invalid_token');

    const management = ClientConfigurationRequest.fromResponse(updated);
    const reread = await readClient(management, http);
    assert.equal(reread.metadata.client_name, 'renamed service');
    const deleted = await deleteClient(management, http);
    assert.equal(deleted.isSuccessful, true, `${deleted.httpStatus} ${deleted.error}`);
    assert.equal(deleted.httpStatus, 204);

    const gone = await readClient(management, http);
    assert.equal(gone.isSuccessful, false);
    assert.equal(gone.errorType, 'protocol');
    assert.equal(gone.httpStatus, 401);
    assert.equal(gone.error, 'invalid_token');
    assert.match(gone.headers['www-authenticate'] ?? '', /^Bearer /);
    assert.equal((await tokenFor(registered)).error, 'invalid_client');
    assert.equal(idp.counts.registration, 7);
  });

  test('metadata it refuses comes back as the RFC 7591 error codes, typed', async () => {
    const badRedirect = await register({
      ...SERVICE,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: ['https://app.example/cb#fragment'],
    });
    assert.equal(badRedirect.errorType, 'protocol');
    assert.equal(badRedirect.error, 'invalid_redirect_uri');
    assert.equal(badRedirect.httpStatus, 400);
    const badMetadata = await register({ ...SERVICE, token_endpoint_auth_method: 'not_a_method' });
    assert.equal(badMetadata.errorType, 'protocol');
    assert.equal(badMetadata.error, 'invalid_client_metadata');
  });
});

const skipGlewlwyd = providerSkip('glewlwyd');

describe('registration: glewlwyd (open, answers 200)', () => {
  let gw: TestGlewlwyd;
  let http: HttpClient;

  before(async () => {
    if (skipGlewlwyd) return;
    http = createHttpClient({ retryCount: 0 });
    gw = await startGlewlwyd();
  });
  after(async () => {
    if (skipGlewlwyd) return;
    await http.close();
    await gw.close();
  });

  test('register (200, not 201), get a token with the new client, read, update, delete, then read is 401', {
    skip: skipGlewlwyd,
  }, async () => {
    const registered = await registerClient(
      new ClientRegistrationRequest({
        authority: gw.issuer,
        // glewlwyd refuses an empty redirect_uris (invalid_redirect_uri), even for client_credentials.
        metadata: {
          ...SERVICE,
          token_endpoint_auth_method: 'client_secret_post',
          redirect_uris: ['https://app.example/cb'],
        },
      }),
      http,
    );
    assert.equal(registered.isSuccessful, true, `${registered.httpStatus} ${registered.error}`);
    assert.equal(registered.httpStatus, 200);
    const token = (client: ClientRegistrationResponse) =>
      requestClientCredentialsToken(
        new ClientCredentialsTokenRequest({
          address: `${gw.issuer}/token`,
          clientId: client.clientId as string,
          clientSecret: client.clientSecret as string,
          clientAuthentication: 'client_secret_post',
          scope: 'read',
        }),
        http,
      );
    const issued = await token(registered);
    assert.equal(issued.isSuccessful, true, `${issued.httpStatus} ${issued.error}`);
    const management = ClientConfigurationRequest.fromResponse(registered);
    const read = await readClient(management, http);
    assert.equal(read.isSuccessful, true, `${read.httpStatus} ${read.error}`);
    assert.equal(read.clientId, registered.clientId);
    assert.equal(read.metadata.client_name, 'registered service');
    // glewlwyd's read answer leaves out registration_access_token and registration_client_uri (RFC 7592 §3
    // requires them) and sends token_endpoint_auth_method as a list: an update is built from the registration.
    assert.equal(read.registrationAccessToken, undefined);
    assert.deepEqual(read.metadata.token_endpoint_auth_method, ['client_secret_post']);
    const updated = await updateClient(
      ClientUpdateRequest.fromResponse(registered, { client_name: 'renamed' }),
      http,
    );
    assert.equal(updated.isSuccessful, true, `${updated.httpStatus} ${updated.error}`);
    assert.equal(updated.metadata.client_name, 'renamed');
    // glewlwyd issues a new client secret on every update (oidc-provider keeps it); the new one works.
    assert.ok(updated.clientSecret && updated.clientSecret !== registered.clientSecret, 'a new secret');
    assert.equal((await token(updated)).isSuccessful, true);
    assert.equal((await readClient(management, http)).metadata.client_name, 'renamed');
    // glewlwyd answers a deletion 200 (RFC 7592 §2.3 says 204); success either way.
    const deleted = await deleteClient(management, http);
    assert.equal(deleted.isSuccessful, true, `${deleted.httpStatus} ${deleted.error}`);
    assert.equal(deleted.httpStatus, 200);
    // ...and a read of the deleted client 401 with an empty body: an http failure, not a protocol one.
    const gone = await readClient(management, http);
    assert.equal(gone.isSuccessful, false);
    assert.equal(gone.errorType, 'http');
    assert.equal(gone.httpStatus, 401);
  });

  test('an empty redirect_uris is refused as invalid_redirect_uri, typed (even for client_credentials)', {
    skip: skipGlewlwyd,
  }, async () => {
    const response = await registerClient(
      new ClientRegistrationRequest({ authority: gw.issuer, metadata: SERVICE }),
      http,
    );
    assert.equal(response.errorType, 'protocol');
    assert.equal(response.error, 'invalid_redirect_uri');
    assert.equal(response.httpStatus, 400);
  });
});
