import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigurationError } from '../../src/errors.js';
import { buildResourceMetadata } from '../../src/resource-metadata/resource-metadata.js';
import { createResourceMetadataEndpoint } from '../../src/resource-metadata/serve.js';

const RESOURCE = 'https://api.example/mcp';

describe('buildResourceMetadata', () => {
  test('every RFC 9728 member, snake_case, in the served JSON', () => {
    const metadata = buildResourceMetadata(
      {
        resource: RESOURCE,
        authorizationServers: ['https://login.example'],
        jwksUri: 'https://api.example/jwks',
        scopesSupported: ['tools:read', 'tools:call'],
        bearerMethodsSupported: ['header'],
        resourceSigningAlgValuesSupported: ['ES256'],
        resourceName: 'Example MCP server',
        resourceDocumentation: 'https://api.example/docs',
        resourcePolicyUri: 'https://api.example/policy',
        resourceTosUri: 'https://api.example/tos',
        tlsClientCertificateBoundAccessTokens: true,
        authorizationDetailsTypesSupported: ['payment_initiation'],
        dpopSigningAlgValuesSupported: ['ES256', 'EdDSA'],
        dpopBoundAccessTokensRequired: false,
        signedMetadata: 'eyJhbGciOiJFUzI1NiJ9.e30.sig',
        cacheMaxAge: 600,
      },
      { issuers: ['https://ignored.example'] },
    );
    assert.deepEqual(JSON.parse(metadata.body), {
      resource: RESOURCE,
      authorization_servers: ['https://login.example'],
      jwks_uri: 'https://api.example/jwks',
      scopes_supported: ['tools:read', 'tools:call'],
      bearer_methods_supported: ['header'],
      resource_signing_alg_values_supported: ['ES256'],
      resource_name: 'Example MCP server',
      resource_documentation: 'https://api.example/docs',
      resource_policy_uri: 'https://api.example/policy',
      resource_tos_uri: 'https://api.example/tos',
      tls_client_certificate_bound_access_tokens: true,
      authorization_details_types_supported: ['payment_initiation'],
      dpop_signing_alg_values_supported: ['ES256', 'EdDSA'],
      dpop_bound_access_tokens_required: false,
      signed_metadata: 'eyJhbGciOiJFUzI1NiJ9.e30.sig',
    });
    assert.equal(metadata.cacheControl, 'public, max-age=600');
    assert.equal(metadata.url, 'https://api.example/.well-known/oauth-protected-resource/mcp');
    assert.deepEqual(metadata.paths, [
      '/.well-known/oauth-protected-resource/mcp',
      '/.well-known/oauth-protected-resource',
    ]);
    assert.ok(Object.isFrozen(metadata.document));
  });

  test('defaults: the issuers, the token methods configured, the DPoP settings of the challenges', () => {
    const metadata = buildResourceMetadata(
      { resource: 'https://api.example/' },
      {
        issuers: ['https://a.example', 'https://a.example'],
        allowBodyToken: true,
        dpopAlgorithms: ['ES256'],
        dpopRequired: true,
        mtlsBound: true,
      },
    );
    assert.deepEqual(metadata.document, {
      resource: 'https://api.example',
      authorization_servers: ['https://a.example'],
      bearer_methods_supported: ['header', 'body'],
      tls_client_certificate_bound_access_tokens: true,
      dpop_signing_alg_values_supported: ['ES256'],
      dpop_bound_access_tokens_required: true,
    });
    assert.equal(metadata.cacheControl, 'public, max-age=3600');
    assert.deepEqual(metadata.paths, ['/.well-known/oauth-protected-resource']);
  });

  for (const [name, options] of [
    ['a resource with a fragment', { resource: 'https://api.example/#x' }],
    [
      'an http authorization server on a public host',
      { resource: RESOURCE, authorizationServers: ['http://login.example'] },
    ],
    ['a scope with a quote (it would corrupt challenges)', { resource: RESOURCE, scopesSupported: ['a"b'] }],
    ['an unknown bearer method', { resource: RESOURCE, bearerMethodsSupported: ['cookie'] }],
    ['a resource name with a newline', { resource: RESOURCE, resourceName: 'a\nb' }],
    ['a negative cache age', { resource: RESOURCE, cacheMaxAge: -1 }],
    ['a flag that is a string', { resource: RESOURCE, dpopBoundAccessTokensRequired: 'yes' }],
  ] as const) {
    test(`refuses ${name} when built, naming the member`, () => {
      assert.throws(
        () => buildResourceMetadata(options as never, { issuers: ['https://login.example'] }),
        (error: unknown) =>
          error instanceof ConfigurationError && /resourceMetadata\.\w+/.test(error.message),
      );
    });
  }
});

describe('createResourceMetadataEndpoint', () => {
  const endpoint = createResourceMetadataEndpoint(
    buildResourceMetadata({ resource: RESOURCE, cacheMaxAge: 0 }, { issuers: ['https://login.example'] }),
  );

  test('GET and HEAD of both well-known paths: the document, public, CORS for any origin', () => {
    for (const method of ['GET', 'HEAD']) {
      for (const path of [
        '/.well-known/oauth-protected-resource/mcp',
        '/.well-known/oauth-protected-resource?x=1',
      ]) {
        const answer = endpoint.answer(method, path);
        assert.equal(answer?.status, 200);
        assert.deepEqual(answer?.headers, {
          'access-control-allow-origin': '*',
          'content-type': 'application/json',
          'cache-control': 'no-cache',
        });
        assert.equal(JSON.parse(answer?.body ?? '').resource, RESOURCE);
      }
    }
  });

  test('OPTIONS is a CORS preflight; other methods 405 with Allow', () => {
    assert.deepEqual(endpoint.answer('OPTIONS', '/.well-known/oauth-protected-resource/mcp'), {
      status: 204,
      headers: {
        'access-control-allow-origin': '*',
        'access-control-allow-methods': 'GET, HEAD, OPTIONS',
        'access-control-allow-headers': '*',
        'access-control-max-age': '86400',
      },
      body: undefined,
    });
    const refused = endpoint.answer('POST', '/.well-known/oauth-protected-resource/mcp');
    assert.equal(refused?.status, 405);
    assert.equal(refused?.headers.allow, 'GET, HEAD, OPTIONS');
  });

  test('every other path is not ours: undefined', () => {
    for (const path of [
      '/mcp',
      '/.well-known/oauth-protected-resource/other',
      '/.well-known/oauth-protected-resource/mcp/',
      '/x/.well-known/oauth-protected-resource',
      '/.well-known/openid-configuration',
    ]) {
      assert.equal(endpoint.answer('GET', path), undefined, path);
    }
  });
});
