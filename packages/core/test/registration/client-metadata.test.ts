import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ClientRegistrationRequest } from '../../src/registration/index.js';

// Client metadata is checked when the request is built: a wrong type names the member, never the value.

const ADDRESS = 'https://login.example/reg';

describe('client metadata validation', () => {
  test('metadata of the wrong JSON type is a ConfigurationError naming the member', () => {
    const build = (metadata: unknown) =>
      new ClientRegistrationRequest({ address: ADDRESS, metadata: metadata as never });
    assert.throws(() => build('x'), /metadata: must be an object/);
    assert.throws(
      () => build({ redirect_uris: 'https://a/cb' }),
      /metadata\.redirect_uris: must be a list of strings/,
    );
    assert.throws(
      () => build({ require_auth_time: 'yes' }),
      /metadata\.require_auth_time: must be a boolean/,
    );
    assert.throws(() => build({ default_max_age: -5 }), /metadata\.default_max_age/);
    assert.throws(() => build({ jwks: [] }), /metadata\.jwks: must be an object/);
    assert.throws(() => build({ client_name: 7 }), /metadata\.client_name: must be a string/);
    assert.throws(() => build({ x: 10n }), /metadata: must be JSON/);
    assert.throws(
      () =>
        new ClientRegistrationRequest({
          address: ADDRESS,
          metadata: {},
          initialAccessToken: 'a\r\nb',
        }),
      /initialAccessToken/,
    );
    assert.throws(
      () =>
        new ClientRegistrationRequest({
          address: ADDRESS,
          metadata: {},
          allowedManagementOrigins: ['http://manage.example'],
        }),
      /allowedManagementOrigins: an entry must be https/,
    );
    assert.throws(
      () =>
        new ClientRegistrationRequest({
          address: ADDRESS,
          metadata: {},
          headers: { accept: 'x' },
        }),
      /"accept" is set by the request/,
    );
    // Extension members of any type pass through.
    const request = build({ 'urn:example:flag': [1, 2], client_name: undefined });
    assert.deepEqual(request.metadata, { 'urn:example:flag': [1, 2] });
    assert.ok(Object.isFrozen(request.metadata));
  });
});
