import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  checkGuard,
  claimCheck,
  claimEquals,
  claimIncludes,
  requireAnyScope,
  requireScopes,
} from '../../src/bearer/guards.js';
import { ConfigurationError } from '../../src/errors.js';
import { toPrincipal } from '../../src/principal/index.js';
import type { JwtClaims, ValidatedToken } from '../../src/validation/types.js';

function auth(claims: JwtClaims, scopes: string[] = []): ValidatedToken {
  return { token: 'x.y.z', header: { alg: 'RS256' }, claims, principal: toPrincipal(claims), scopes };
}

describe('guards', () => {
  test('requireScopes needs every scope and names them all in the refusal', async () => {
    const guard = requireScopes('read', 'write');
    assert.equal(await guard(auth({}, ['read', 'write', 'admin'])), undefined);
    const refusal = await guard(auth({}, ['read']));
    assert.equal(refusal?.status, 403);
    assert.equal(refusal?.code, 'insufficient_scope');
    assert.deepEqual(refusal?.scope, ['read', 'write']);
    assert.match(refusal?.headers['www-authenticate'] ?? '', /scope="read write"/);
  });

  test('requireAnyScope needs one of them', async () => {
    const guard = requireAnyScope('read', 'admin');
    assert.equal(await guard(auth({}, ['admin'])), undefined);
    assert.equal((await guard(auth({}, ['write'])))?.status, 403);
  });

  test('scope confusion: a scope is matched whole, not as a substring', async () => {
    assert.equal((await requireScopes('read')(auth({}, ['read:all', 'reader'])))?.status, 403);
  });

  test('claimEquals compares exactly', async () => {
    const guard = claimEquals('tenant', 'acme');
    assert.equal(await guard(auth({ tenant: 'acme' })), undefined);
    assert.equal((await guard(auth({ tenant: 'acme2' })))?.status, 403);
    assert.equal((await guard(auth({ tenant: ['acme'] })))?.status, 403);
    assert.equal((await guard(auth({})))?.status, 403);
  });

  test('prototype pollution: an inherited claim does not satisfy a claim guard', async () => {
    const claims = Object.create({ role: 'admin', roles: ['admin'] }) as JwtClaims;
    assert.equal((await claimEquals('role', 'admin')(auth(claims)))?.status, 403);
    assert.equal((await claimIncludes('roles', 'admin')(auth(claims)))?.status, 403);
  });

  test('claimIncludes reads array claims and space-delimited strings', async () => {
    const guard = claimIncludes('roles', 'admin', 'ops');
    assert.equal(await guard(auth({ roles: ['ops', 'admin', 'dev'] })), undefined);
    assert.equal(await guard(auth({ roles: 'admin ops' })), undefined);
    assert.equal((await guard(auth({ roles: ['admin'] })))?.status, 403);
    assert.equal((await guard(auth({ roles: 'administrators ops' })))?.status, 403);
  });

  test('claimCheck accepts only a literal true, sync or async', async () => {
    assert.equal(await claimCheck((c) => c.sub === 'a')(auth({ sub: 'a' })), undefined);
    assert.equal(await claimCheck(async (c) => c.sub === 'a')(auth({ sub: 'a' })), undefined);
    const refusal = await claimCheck(() => false, { description: 'tenant mismatch' })(auth({}));
    assert.equal(refusal?.description, 'tenant mismatch');
    const truthy = claimCheck(() => 'yes' as unknown as boolean);
    assert.equal((await truthy(auth({})))?.status, 403);
  });

  test('a guard that throws is a server error, not a refusal', async () => {
    const guard = claimCheck(() => {
      throw new Error('db down');
    });
    await assert.rejects(async () => guard(auth({})), /db down/);
  });

  test('checkGuard: no authenticated token is 401 without an error code, refusals carry the realm', async () => {
    const missing = await checkGuard(requireScopes('read'), undefined, { realm: 'api' });
    assert.equal(missing?.status, 401);
    assert.equal(missing?.headers['www-authenticate'], 'Bearer realm="api"');
    const refused = await checkGuard(requireScopes('read'), auth({}), { realm: 'api' });
    assert.match(
      refused?.headers['www-authenticate'] ?? '',
      /^Bearer realm="api", error="insufficient_scope"/,
    );
  });

  test('guards refuse unusable configuration when built', () => {
    assert.throws(() => requireScopes(), ConfigurationError);
    assert.throws(() => requireAnyScope('a b'), ConfigurationError);
    assert.throws(() => claimEquals('', 'x'), ConfigurationError);
    assert.throws(() => claimIncludes('roles'), ConfigurationError);
  });
});
