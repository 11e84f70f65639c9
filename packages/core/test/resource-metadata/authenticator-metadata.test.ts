import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createBearerAuthenticator } from '../../src/bearer/authenticator.js';
import { ConfigurationError } from '../../src/errors.js';
import { createTokenValidator } from '../../src/validation/index.js';

const RESOURCE = 'https://mcp.example/mcp';
const METADATA_URL = 'https://mcp.example/.well-known/oauth-protected-resource/mcp';

describe('createBearerAuthenticator with resourceMetadata', () => {
  test('the issuer from the environment is the default authorization server; challenges name the metadata', async () => {
    const authenticator = createBearerAuthenticator(
      { resourceMetadata: { resource: RESOURCE } },
      { OIDC_ISSUER: 'https://login.example' },
    );
    try {
      assert.equal(authenticator.challenge.resourceMetadata, METADATA_URL);
      assert.deepEqual(authenticator.resourceMetadata?.metadata.document.authorization_servers, [
        'https://login.example',
      ]);
      // No OIDC_AUDIENCE and no `audience`: the resource is the audience, so building succeeded.
      const refusal = await authenticator
        .authenticate({ method: 'GET', url: '/mcp', headers: {} })
        .catch((e) => e);
      assert.equal(refusal.status, 401);
      assert.match(refusal.headers['www-authenticate'], new RegExp(`resource_metadata="${METADATA_URL}"`));
    } finally {
      await authenticator.close();
    }
  });

  test('a validator of your own needs authorizationServers (its issuers cannot be read)', async () => {
    const validator = createTokenValidator({ issuer: 'https://login.example', audience: RESOURCE });
    try {
      assert.throws(
        () => createBearerAuthenticator({ validator, resourceMetadata: { resource: RESOURCE } }),
        (error: unknown) =>
          error instanceof ConfigurationError && /authorizationServers is required/.test(error.message),
      );
      const authenticator = createBearerAuthenticator({
        validator,
        resourceMetadata: { resource: RESOURCE, authorizationServers: ['https://login.example'] },
      });
      assert.equal(authenticator.resourceMetadata?.metadata.resource, RESOURCE);
    } finally {
      await validator.close();
    }
  });

  test('a resource that is not a canonical https URL fails when built', () => {
    for (const resource of ['https://mcp.example/mcp#x', 'http://mcp.example/mcp', 'mcp']) {
      assert.throws(
        () => createBearerAuthenticator({ issuer: 'https://login.example', resourceMetadata: { resource } }),
        (error: unknown) =>
          error instanceof ConfigurationError && /resourceMetadata\.resource/.test(error.message),
      );
    }
  });
});
