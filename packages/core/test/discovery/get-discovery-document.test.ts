import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import {
  DiscoveryDocumentRequest,
  DiscoveryPolicy,
  getDiscoveryDocument,
  tenantTemplateIssuerComparer,
} from '../../src/discovery/index.js';
import { HttpError } from '../../src/errors.js';
import { createHttpClient } from '../../src/http/index.js';
import { freePort, type LocalServer, sendJson, startServer } from '../http/local-server.js';
import { completeDocument } from './documents.js';

const http = createHttpClient({ env: {}, retryCount: 0, timeoutMs: 5_000 });
const servers: LocalServer[] = [];
after(async () => {
  await Promise.all([http.close(), ...servers.map((s) => s.close())]);
});

const documentFor = completeDocument;

/** Serves `build(origin)` as the document, at any path; records the paths asked for. */
async function serveDocument(
  build: (origin: string) => Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<LocalServer & { paths: string[] }> {
  const paths: string[] = [];
  let origin = '';
  const server = await startServer((req, res) => {
    paths.push(req.url ?? '');
    sendJson(res, 200, build(origin), headers);
  });
  origin = server.url;
  servers.push(server);
  return Object.assign(server, { paths });
}

async function serveRaw(status: number, contentType: string, body: string): Promise<LocalServer> {
  const server = await startServer((_req, res) => {
    res.writeHead(status, { 'content-type': contentType });
    res.end(body);
  });
  servers.push(server);
  return server;
}

const discover = (
  address: string,
  policy?: DiscoveryPolicy | ConstructorParameters<typeof DiscoveryPolicy>[0],
) => getDiscoveryDocument(new DiscoveryDocumentRequest({ address, ...(policy ? { policy } : {}) }), http);

describe('addresses', () => {
  test('the issuer, with or without trailing slashes, or the full well-known URL', async () => {
    const server = await serveDocument((origin) => documentFor(origin));
    for (const address of [
      server.url,
      `${server.url}/`,
      `${server.url}//`,
      `${server.url}/.well-known/openid-configuration`,
    ]) {
      const response = await discover(address);
      assert.equal(response.isSuccessful, true, `${address}: ${response.error}`);
      assert.equal(response.issuer, server.url);
    }
    assert.deepEqual(new Set(server.paths), new Set(['/.well-known/openid-configuration']));
  });

  test('an issuer with a path (a tenant) keeps its path', async () => {
    const server = await serveDocument((origin) => documentFor(`${origin}/tenants/a`));
    const response = await discover(`${server.url}/tenants/a/`);
    assert.equal(response.isSuccessful, true, response.error);
    assert.deepEqual(server.paths, ['/tenants/a/.well-known/openid-configuration']);
  });

  test('the RFC 8414 path-inserted well-known URL maps back to its issuer', async () => {
    const server = await serveDocument((origin) => documentFor(`${origin}/tenants/a`));
    const response = await discover(`${server.url}/.well-known/oauth-authorization-server/tenants/a`);
    assert.equal(response.isSuccessful, true, response.error);
    assert.deepEqual(server.paths, ['/.well-known/oauth-authorization-server/tenants/a']);
  });

  test('an address that is not a URL is an exception-type error', async () => {
    const response = await discover('not a url');
    assert.equal(response.isSuccessful, false);
    assert.equal(response.errorType, 'exception');
  });
});

describe('metadata', () => {
  test('every metadata family has a typed getter; unknown fields stay in raw', async () => {
    const server = await serveDocument((o) =>
      documentFor(o, {
        userinfo_endpoint: `${o}/me`,
        registration_endpoint: `${o}/reg`,
        introspection_endpoint: `${o}/introspect`,
        revocation_endpoint: `${o}/revoke`,
        device_authorization_endpoint: `${o}/device`,
        pushed_authorization_request_endpoint: `${o}/par`,
        end_session_endpoint: `${o}/logout`,
        mtls_endpoint_aliases: { token_endpoint: 'https://mtls.example.com/token' },
        scopes_supported: ['openid', 'api'],
        grant_types_supported: ['client_credentials'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'private_key_jwt'],
        id_token_signing_alg_values_supported: ['RS256', 'ES256'],
        introspection_endpoint_auth_methods_supported: ['client_secret_basic'],
        code_challenge_methods_supported: ['S256'],
        dpop_signing_alg_values_supported: ['ES256'],
        claims_parameter_supported: false,
        require_pushed_authorization_requests: true,
        tls_client_certificate_bound_access_tokens: true,
        x_vendor_extension: { anything: 1 },
      }),
    );
    const d = await discover(server.url);
    assert.equal(d.isSuccessful, true, d.error);
    assert.equal(d.httpStatus, 200);
    const o = server.url;
    assert.equal(d.tokenEndpoint, `${o}/token`);
    assert.equal(d.authorizationEndpoint, `${o}/authorize`);
    assert.equal(d.jwksUri, `${o}/jwks`);
    assert.equal(d.userInfoEndpoint, `${o}/me`);
    assert.equal(d.registrationEndpoint, `${o}/reg`);
    assert.equal(d.introspectionEndpoint, `${o}/introspect`);
    assert.equal(d.revocationEndpoint, `${o}/revoke`);
    assert.equal(d.deviceAuthorizationEndpoint, `${o}/device`);
    assert.equal(d.pushedAuthorizationRequestEndpoint, `${o}/par`);
    assert.equal(d.endSessionEndpoint, `${o}/logout`);
    assert.deepEqual(d.mtlsEndpointAliases, { token_endpoint: 'https://mtls.example.com/token' });
    assert.deepEqual(d.scopesSupported, ['openid', 'api']);
    assert.deepEqual(d.responseTypesSupported, ['code']);
    assert.deepEqual(d.grantTypesSupported, ['client_credentials']);
    assert.deepEqual(d.tokenEndpointAuthMethodsSupported, ['client_secret_basic', 'private_key_jwt']);
    assert.deepEqual(d.idTokenSigningAlgValuesSupported, ['RS256', 'ES256']);
    assert.deepEqual(d.introspectionEndpointAuthMethodsSupported, ['client_secret_basic']);
    assert.deepEqual(d.codeChallengeMethodsSupported, ['S256']);
    assert.deepEqual(d.dpopSigningAlgValuesSupported, ['ES256']);
    assert.equal(d.claimsParameterSupported, false);
    assert.equal(d.requirePushedAuthorizationRequests, true);
    assert.equal(d.tlsClientCertificateBoundAccessTokens, true);
    assert.equal(d.checkSessionIframe, undefined);
    assert.deepEqual(d.raw.x_vendor_extension, { anything: 1 });
    assert.equal(d.getString('issuer'), o);
  });

  for (const [name, value, mentions] of [
    ['issuer missing', { issuer: undefined }, 'issuer'],
    ['jwks_uri not a URL', { jwks_uri: 'keys' }, 'jwks_uri'],
    ['scopes_supported not an array', { scopes_supported: 'openid api' }, 'scopes_supported'],
    [
      'a flag that is a string',
      { request_uri_parameter_supported: 'true' },
      'request_uri_parameter_supported',
    ],
    [
      'an mTLS alias that is not a URL',
      { mtls_endpoint_aliases: { token_endpoint: 7 } },
      'mtls_endpoint_aliases',
    ],
  ] as const) {
    test(`a document with ${name} is a protocol error`, async () => {
      const server = await serveDocument((o) => ({ ...documentFor(o), ...value }));
      const response = await discover(server.url);
      assert.equal(response.isSuccessful, false);
      assert.equal(response.errorType, 'protocol');
      assert.match(response.error ?? '', new RegExp(mentions));
    });
  }
});

describe('faults', () => {
  test('an HTML error page with status 200 is a protocol error, not a document', async () => {
    const server = await serveRaw(200, 'text/html', '<html><body>Sign in</body></html>');
    const response = await discover(server.url);
    assert.equal(response.errorType, 'protocol');
    assert.match(response.error ?? '', /text\/html/);
  });

  test('JSON served with a wrong content type is refused', async () => {
    const server = await serveRaw(200, 'text/plain', JSON.stringify({ issuer: 'x' }));
    assert.equal((await discover(server.url)).errorType, 'protocol');
  });

  test('a body that is not JSON, or not an object, is a protocol error', async () => {
    const broken = await serveRaw(200, 'application/json', '{"issuer":');
    assert.equal((await discover(broken.url)).errorType, 'protocol');
    const array = await serveRaw(200, 'application/json; charset=utf-8', '[]');
    assert.equal((await discover(array.url)).errorType, 'protocol');
  });

  test('an HTML 500 page is an http error carrying the status', async () => {
    const server = await serveRaw(500, 'text/html', '<h1>oops</h1>');
    const response = await discover(server.url);
    assert.equal(response.errorType, 'http');
    assert.equal(response.httpStatus, 500);
    assert.ok(response.cause instanceof HttpError);
  });

  test('a 404 is an http error with the status', async () => {
    const server = await serveRaw(404, 'application/json', '{}');
    const response = await discover(server.url);
    assert.equal(response.errorType, 'http');
    assert.equal(response.httpStatus, 404);
  });

  test('metadata redirect to another host is not followed', async () => {
    const evil = await serveDocument((o) => documentFor(o));
    const server = await startServer((_req, res) => {
      res.writeHead(302, { location: `${evil.url}/.well-known/openid-configuration` });
      res.end();
    });
    servers.push(server);
    const response = await discover(server.url);
    assert.equal(response.errorType, 'http');
    assert.equal(response.httpStatus, 302);
    assert.equal(evil.count, 0);
  });

  test('a provider that is down is an http error', async () => {
    const response = await discover(`http://127.0.0.1:${await freePort()}`);
    assert.equal(response.errorType, 'http');
    assert.equal((response.cause as HttpError).code, 'http_network');
  });
});

describe('policy', () => {
  test('issuer impersonation: a document declaring another issuer is refused', async () => {
    const server = await serveDocument(() => documentFor('https://idp.example.com'));
    const response = await discover(server.url);
    assert.equal(response.errorType, 'policy');
    assert.match(response.error ?? '', /issuer/);
    assert.equal(
      (await discover(server.url, { validateIssuerName: false, validateEndpoints: false })).isSuccessful,
      true,
    );
  });

  test('multi-tenant issuer template ({tenantid}) matches with the tenant comparer only', async () => {
    const server = await serveDocument((o) =>
      documentFor(`${o}/{tenantid}/v2.0`, { jwks_uri: `${o}/common/keys` }),
    );
    const address = `${server.url}/common/v2.0`;
    assert.equal((await discover(address)).errorType, 'policy');
    const response = await discover(address, { issuerComparer: tenantTemplateIssuerComparer });
    assert.equal(response.isSuccessful, true, response.error);
  });

  test('downgrade: http is refused for a non-loopback address, before any request', async () => {
    const response = await discover('http://idp.example.com');
    assert.equal(response.errorType, 'policy');
    assert.match(response.error ?? '', /https/);
  });

  test('http on loopback is allowed by default, refused when allowHttpOnLoopback is false', async () => {
    const server = await serveDocument((o) => documentFor(o));
    assert.equal((await discover(server.url)).isSuccessful, true);
    assert.equal((await discover(server.url, { allowHttpOnLoopback: false })).errorType, 'policy');
    assert.equal(server.count, 1);
  });

  test('endpoint hijack: an endpoint on another host is refused unless its base is allow-listed', async () => {
    const server = await serveDocument((o) =>
      documentFor(o, { jwks_uri: 'https://keys.example.net/tenant/jwks' }),
    );
    const refused = await discover(server.url);
    assert.equal(refused.errorType, 'policy');
    assert.match(refused.error ?? '', /jwks_uri/);
    const allowed = await discover(server.url, {
      additionalEndpointBaseAddresses: ['https://keys.example.net/tenant'],
    });
    assert.equal(allowed.isSuccessful, true, allowed.error);
    const otherPath = await discover(server.url, {
      additionalEndpointBaseAddresses: ['https://keys.example.net/other'],
    });
    assert.equal(otherPath.errorType, 'policy');
    assert.equal(
      (await discover(server.url, { endpointValidationExcludeList: ['jwks_uri'] })).isSuccessful,
      true,
    );
  });

  test('downgrade: an http endpoint on another host is refused even when endpoint validation is off', async () => {
    const server = await serveDocument((o) =>
      documentFor(o, { token_endpoint: 'http://idp.example.com/token' }),
    );
    const response = await discover(server.url, { validateEndpoints: false });
    assert.equal(response.errorType, 'policy');
    assert.match(response.error ?? '', /token_endpoint/);
  });

  test('mTLS aliases may live on another host but must be https', async () => {
    const ok = await serveDocument((o) =>
      documentFor(o, { mtls_endpoint_aliases: { token_endpoint: 'https://mtls.example.com/token' } }),
    );
    assert.equal((await discover(ok.url)).isSuccessful, true);
    const plain = await serveDocument((o) =>
      documentFor(o, { mtls_endpoint_aliases: { token_endpoint: 'http://mtls.example.com/token' } }),
    );
    assert.equal((await discover(plain.url)).errorType, 'policy');
  });

  test('requireKeySet: a document without jwks_uri is refused unless the policy allows it', async () => {
    const server = await serveDocument((o) => ({ ...documentFor(o), jwks_uri: undefined }));
    assert.equal((await discover(server.url)).errorType, 'policy');
    assert.equal(
      (await discover(server.url, new DiscoveryPolicy({ requireKeySet: false }))).isSuccessful,
      true,
    );
  });
});
