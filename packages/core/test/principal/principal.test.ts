import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  Claim,
  ClaimsIdentity,
  ClaimsPrincipal,
  getPermissions,
  getScopes,
  hasAllScopes,
  hasAnyScope,
  toPrincipal,
} from '../../src/principal/index.js';

describe('toPrincipal', () => {
  const claims = {
    iss: 'https://issuer',
    sub: 'user-1',
    name: 'Ada',
    aud: ['api-a', 'api-b'],
    role: ['admin', 'reader'],
    exp: 1700000000,
    ratio: 0.5,
    email_verified: true,
    address: { country: 'NZ' },
    nothing: null,
    scope: 'read write',
    permissions: ['read:x'],
  };
  const principal = toPrincipal(claims);

  test('array values become several claims; types are kept', () => {
    assert.deepEqual(
      principal.findAll('aud').map((c) => c.value),
      ['api-a', 'api-b'],
    );
    assert.equal(principal.findFirst('exp')?.valueType, 'integer');
    assert.equal(principal.findFirst('ratio')?.valueType, 'double');
    assert.equal(principal.findFirst('email_verified')?.value, 'true');
    assert.equal(principal.findFirst('address')?.value, '{"country":"NZ"}');
    assert.equal(principal.findFirst('address')?.valueType, 'json');
    assert.equal(principal.hasClaim('nothing'), false);
    assert.equal(principal.findFirst('sub')?.issuer, 'https://issuer');
  });

  test('hasClaim, findFirst, findAll by type, value or predicate', () => {
    assert.ok(principal.hasClaim('role', 'admin'));
    assert.ok(!principal.hasClaim('role', 'owner'));
    assert.ok(principal.hasClaim((c) => c.type === 'sub' && c.value.startsWith('user-')));
    assert.equal(principal.findFirst('missing'), undefined);
    assert.deepEqual(principal.findAll((c) => c.type === 'role').length, 2);
  });

  test('identity: authenticated as Bearer, name and roles', () => {
    assert.ok(principal.isAuthenticated);
    assert.equal(principal.identity?.authenticationType, 'Bearer');
    assert.equal(principal.name, 'Ada');
    assert.ok(principal.isInRole('reader'));
    const custom = toPrincipal(claims, { nameClaimType: 'sub', roleClaimType: 'aud' });
    assert.equal(custom.name, 'user-1');
    assert.ok(custom.isInRole('api-b'));
    assert.ok(!new ClaimsIdentity([new Claim('a', 'b')]).isAuthenticated);
  });

  test('scope and permission helpers', () => {
    assert.ok(principal.hasScope('write'));
    assert.ok(!principal.hasScope('wri'));
    assert.ok(principal.hasPermission('read:x'));
    assert.deepEqual(getScopes({ scope: 'a b  a', scp: ['c', 'b'] }), ['a', 'b', 'c']);
    assert.deepEqual(getScopes({ scope: 42 }), []);
    assert.deepEqual(getPermissions({ permissions: ['p1', 'p2'] }), ['p1', 'p2']);
    assert.ok(hasAllScopes(['a', 'b'], ['a', 'b']));
    assert.ok(!hasAllScopes(['a'], ['a', 'b']));
    assert.ok(hasAnyScope(['a'], ['x', 'a']));
    assert.ok(!hasAnyScope(['a'], ['x']));
  });

  test('a principal with several identities searches them all', () => {
    const p = new ClaimsPrincipal([
      new ClaimsIdentity([new Claim('sub', '1')], { authenticationType: 'Bearer' }),
      new ClaimsIdentity([new Claim('sub', '2'), new Claim('tenant', 't')]),
    ]);
    assert.deepEqual(
      p.findAll('sub').map((c) => c.value),
      ['1', '2'],
    );
    assert.equal(p.findFirst('tenant')?.value, 't');
    assert.equal(p.claims.length, 3);
  });
});
