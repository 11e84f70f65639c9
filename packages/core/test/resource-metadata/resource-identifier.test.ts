import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigurationError } from '../../src/errors.js';
import {
  canonicalResource,
  canonicalResourceOrUndefined,
  protectedResourceMetadataUrl,
} from '../../src/resource-metadata/resource-identifier.js';

describe('canonical resource identifiers (RFC 8707 §2, RFC 9728 §1.2)', () => {
  test('a bare origin has no trailing slash; a path keeps its own; host case and default port normalised', () => {
    assert.equal(canonicalResource('https://api.example/'), 'https://api.example');
    assert.equal(canonicalResource('https://api.example'), 'https://api.example');
    assert.equal(canonicalResource('HTTPS://API.Example:443/mcp'), 'https://api.example/mcp');
    assert.equal(canonicalResource('https://api.example/mcp/'), 'https://api.example/mcp/');
    assert.equal(canonicalResource('http://127.0.0.1:8080/mcp'), 'http://127.0.0.1:8080/mcp');
  });

  for (const [name, value] of [
    ['a fragment', 'https://api.example/mcp#x'],
    ['a query', 'https://api.example/mcp?tenant=a'],
    ['plain http on a public host', 'http://api.example/mcp'],
    ['credentials', 'https://user:pass@api.example/mcp'],
    ['a relative reference', '/mcp'],
    ['a URN', 'urn:example:api'],
    ['whitespace', 'https://api.example/ mcp'],
    ['a non-string', 42],
    ['an over-long URL', `https://api.example/${'a'.repeat(3000)}`],
  ] as const) {
    test(`refuses ${name}`, () => {
      assert.throws(() => canonicalResource(value), ConfigurationError);
    });
  }

  test('a client reading metadata keeps a query, never a fragment', () => {
    assert.equal(
      canonicalResourceOrUndefined('https://api.example/a?b=c', { allowQuery: true }),
      'https://api.example/a?b=c',
    );
    assert.equal(canonicalResourceOrUndefined('https://api.example/a#b', { allowQuery: true }), undefined);
  });
});

describe('the well-known URL (RFC 9728 §3.1)', () => {
  test('inserted between the host and the path; a bare origin gets the bare suffix', () => {
    assert.equal(
      protectedResourceMetadataUrl('https://api.example/mcp'),
      'https://api.example/.well-known/oauth-protected-resource/mcp',
    );
    assert.equal(
      protectedResourceMetadataUrl('https://api.example/tenant/mcp/'),
      'https://api.example/.well-known/oauth-protected-resource/tenant/mcp/',
    );
    assert.equal(
      protectedResourceMetadataUrl('https://api.example'),
      'https://api.example/.well-known/oauth-protected-resource',
    );
    assert.equal(
      protectedResourceMetadataUrl('https://api.example/a?b=c'),
      'https://api.example/.well-known/oauth-protected-resource/a?b=c',
    );
  });
});
