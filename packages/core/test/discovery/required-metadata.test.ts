import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import {
  DiscoveryDocumentRequest,
  type DiscoveryPolicyOptions,
  getDiscoveryDocument,
} from '../../src/discovery/index.js';
import { ConfigurationError } from '../../src/errors.js';
import { createHttpClient } from '../../src/http/index.js';
import { type LocalServer, sendJson, startServer } from '../http/local-server.js';
import { completeDocument } from './documents.js';

const http = createHttpClient({ env: {}, retryCount: 0, timeoutMs: 5_000 });
const servers: LocalServer[] = [];
after(async () => {
  await Promise.all([http.close(), ...servers.map((s) => s.close())]);
});

/** Serves `build(origin)` at any path (both well-known forms). */
async function serve(build: (origin: string) => Record<string, unknown>): Promise<LocalServer> {
  const server = await startServer((_req, res) => sendJson(res, 200, build(server.url)));
  servers.push(server);
  return server;
}

const discover = (address: string, policy?: DiscoveryPolicyOptions) =>
  getDiscoveryDocument(new DiscoveryDocumentRequest({ address, ...(policy ? { policy } : {}) }), http);

const oauthAddress = (server: LocalServer) => `${server.url}/.well-known/oauth-authorization-server`;

/** An RFC 8414 document: `issuer` and `response_types_supported`, plus `extra`. */
const oauthDocument = (origin: string, extra: Record<string, unknown> = {}) => ({
  issuer: origin,
  response_types_supported: ['code'],
  jwks_uri: `${origin}/jwks`,
  ...extra,
});

describe('OpenID Connect Discovery 1.0 §3: required metadata', () => {
  test('a document lacking required fields is a policy error that names every one of them', async () => {
    const server = await serve((o) =>
      completeDocument(o, {
        subject_types_supported: undefined,
        id_token_signing_alg_values_supported: undefined,
      }),
    );
    const response = await discover(server.url);
    assert.equal(response.isSuccessful, false);
    assert.equal(response.errorType, 'policy');
    assert.match(response.error ?? '', /OpenID Connect Discovery 1\.0 §3/);
    assert.match(response.error ?? '', /subject_types_supported, id_token_signing_alg_values_supported/);
    assert.match(response.error ?? '', /optionalMetadata/, 'the error names the option that accepts it');
  });

  for (const field of [
    'authorization_endpoint',
    'token_endpoint',
    'jwks_uri',
    'response_types_supported',
    'subject_types_supported',
    'id_token_signing_alg_values_supported',
  ]) {
    test(`a document without ${field} is refused, naming it`, async () => {
      const server = await serve((o) => completeDocument(o, { [field]: undefined }));
      const response = await discover(server.url);
      assert.equal(response.errorType, 'policy');
      assert.match(response.error ?? '', new RegExp(`requires: ${field} `));
    });
  }

  test('the full well-known URL is held to the same rules', async () => {
    const server = await serve((o) => completeDocument(o, { subject_types_supported: undefined }));
    const response = await discover(`${server.url}/.well-known/openid-configuration`);
    assert.equal(response.errorType, 'policy');
    assert.match(response.error ?? '', /subject_types_supported/);
  });

  test('requireMetadata: false accepts an incomplete document', async () => {
    const server = await serve((o) => ({ issuer: o, jwks_uri: `${o}/jwks` }));
    const response = await discover(server.url, { requireMetadata: false });
    assert.equal(response.isSuccessful, true, response.error);
  });

  test('optionalMetadata tolerates exactly the fields it lists', async () => {
    const server = await serve((o) =>
      completeDocument(o, {
        subject_types_supported: undefined,
        id_token_signing_alg_values_supported: undefined,
      }),
    );
    const both = await discover(server.url, {
      optionalMetadata: ['subject_types_supported', 'id_token_signing_alg_values_supported'],
    });
    assert.equal(both.isSuccessful, true, both.error);
    const one = await discover(server.url, { optionalMetadata: ['subject_types_supported'] });
    assert.equal(one.errorType, 'policy');
    assert.match(one.error ?? '', /requires: id_token_signing_alg_values_supported /);
  });

  test('requireKeySet: false also tolerates a missing jwks_uri (a client that needs no keys)', async () => {
    const server = await serve((o) => completeDocument(o, { jwks_uri: undefined }));
    assert.equal((await discover(server.url, { requireKeySet: false })).isSuccessful, true);
  });

  test('optionalMetadata naming a field no specification requires (a typo) is a ConfigurationError', () => {
    for (const name of ['subject_type_supported', 'issuer']) {
      assert.throws(
        () =>
          new DiscoveryDocumentRequest({
            address: 'https://idp.example',
            policy: { optionalMetadata: [name] },
          }),
        (error: unknown) => error instanceof ConfigurationError && error.message.includes(name),
      );
    }
  });
});

describe('RFC 8414 §2: required metadata of an authorization server', () => {
  test('issuer and response_types_supported are required; OpenID-only fields are not', async () => {
    const server = await serve((o) =>
      oauthDocument(o, { authorization_endpoint: `${o}/authorize`, token_endpoint: `${o}/token` }),
    );
    const response = await discover(oauthAddress(server));
    assert.equal(response.isSuccessful, true, response.error);
    const without = await serve((o) =>
      oauthDocument(o, {
        authorization_endpoint: `${o}/authorize`,
        token_endpoint: `${o}/token`,
        response_types_supported: undefined,
      }),
    );
    const refused = await discover(oauthAddress(without));
    assert.equal(refused.errorType, 'policy');
    assert.match(refused.error ?? '', /RFC 8414 §2 requires: response_types_supported /);
  });

  test('grant_types_supported omitted means authorization_code and implicit: both endpoints required', async () => {
    const server = await serve((o) => oauthDocument(o));
    const response = await discover(oauthAddress(server));
    assert.equal(response.errorType, 'policy');
    assert.match(response.error ?? '', /requires: authorization_endpoint, token_endpoint /);
  });

  test('no grant type using the authorization endpoint: authorization_endpoint is not required', async () => {
    const server = await serve((o) =>
      oauthDocument(o, { grant_types_supported: ['client_credentials'], token_endpoint: `${o}/token` }),
    );
    const response = await discover(oauthAddress(server));
    assert.equal(response.isSuccessful, true, response.error);
  });

  test('only the implicit grant: token_endpoint is not required, authorization_endpoint is', async () => {
    const ok = await serve((o) =>
      oauthDocument(o, { grant_types_supported: ['implicit'], authorization_endpoint: `${o}/authorize` }),
    );
    assert.equal((await discover(oauthAddress(ok))).isSuccessful, true);
    const missing = await serve((o) => oauthDocument(o, { grant_types_supported: ['implicit'] }));
    const refused = await discover(oauthAddress(missing));
    assert.equal(refused.errorType, 'policy');
    assert.match(refused.error ?? '', /requires: authorization_endpoint \(/);
  });

  test('client_credentials with no token_endpoint is refused', async () => {
    const server = await serve((o) => oauthDocument(o, { grant_types_supported: ['client_credentials'] }));
    const refused = await discover(oauthAddress(server));
    assert.equal(refused.errorType, 'policy');
    assert.match(refused.error ?? '', /requires: token_endpoint \(/);
  });
});
