/** `identity-model discover` and `jwks`, the built binary against oidc-provider and hostile local servers. */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startIdp, type TestIdp } from '../../../test/support/idp.js';
import { completeDocument } from '../../core/test/discovery/documents.js';
import { freePort, type LocalServer, sendJson, startServer } from '../../core/test/http/local-server.js';
import { ensureBuilt, parseJson, runCli } from './support/cli.js';

let idp: TestIdp;
let impostor: LocalServer;
let keys: LocalServer;

const rsaJwk = (bits: number) =>
  generateKeyPairSync('rsa', { modulusLength: bits }).publicKey.export({ format: 'jwk' });

before(async () => {
  ensureBuilt();
  idp = await startIdp();
  // Declares another issuer than the address it is served from: a mix-up the policy must refuse.
  impostor = await startServer((req, res) =>
    sendJson(
      res,
      200,
      completeDocument('https://accounts.example.test', { jwks_uri: `http://${req.headers.host}/jwks` }),
    ),
  );
  // A JWK Set with one good key, one too-short RSA key and one symmetric key.
  const good = { ...rsaJwk(2048), kid: 'good', alg: 'RS256', use: 'sig' };
  const short = { ...rsaJwk(1024), kid: 'short', alg: 'RS256' };
  const secret = { kty: 'oct', kid: 'hmac', k: Buffer.alloc(32, 1).toString('base64url') };
  const enc = { ...rsaJwk(2048), kid: 'enc', use: 'enc' };
  keys = await startServer((req, res) =>
    req.url === '/jwks' ? sendJson(res, 200, { keys: [good, short, secret, enc] }) : sendJson(res, 404, {}),
  );
});
after(async () => {
  await idp?.close();
  await impostor?.close();
  await keys?.close();
});

describe('identity-model discover', { concurrency: true }, () => {
  test('a document the default policy accepts: exit 0, its endpoints listed', async () => {
    const run = await runCli(['discover', idp.issuer]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /accepted by the default DiscoveryPolicy/);
    assert.match(run.stdout, new RegExp(`jwks_uri\\s+${idp.issuer}/jwks`));
    assert.match(run.stdout, /token_endpoint_auth_methods_supported\s+client_secret_basic/);
  });

  test('--json: one document with accepted, the key fields and the raw document', async () => {
    const doc = parseJson(await runCli(['discover', idp.issuer, '--json']));
    assert.equal(doc.command, 'discover');
    assert.equal(doc.accepted, true);
    assert.equal((doc.document as Record<string, unknown>).issuer, idp.issuer);
    assert.equal((doc.raw as Record<string, unknown>).token_endpoint, `${idp.issuer}/token`);
  });

  test('issuer mix-up: a document declaring another issuer is refused (exit 1) naming the option', async () => {
    const run = await runCli(['discover', impostor.url]);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /refused by the default DiscoveryPolicy/);
    assert.match(run.stdout, /issuer https:\/\/accounts\.example\.test does not match the authority/);
    assert.match(run.stdout, /discovery policy's authority/);
    const doc = parseJson(await runCli(['discover', impostor.url, '--json']));
    assert.deepEqual([doc.accepted, doc.errorType], [false, 'policy']);
  });

  test('a plain-http issuer off loopback is refused before any request', async () => {
    const run = await runCli(['discover', 'http://idp.example.test']);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /https is required/);
  });

  test('nothing listening: exit 3 (unavailable), not a refusal', async () => {
    const run = await runCli(['discover', `http://127.0.0.1:${await freePort()}`]);
    assert.equal(run.code, 3, run.stdout);
    assert.match(run.stdout, /discovery failed/);
  });

  test('usage: no issuer, or not a URL, is exit 2 on stderr', async () => {
    for (const args of [['discover'], ['discover', 'not a url'], ['discover', idp.issuer, '--bogus']]) {
      const run = await runCli(args);
      assert.equal(run.code, 2, args.join(' '));
      assert.equal(run.stdout, '');
      assert.notEqual(run.stderr, '');
    }
  });
});

describe('identity-model jwks', { concurrency: true }, () => {
  test('from an issuer: every published kid, with type and size, found through discovery', async () => {
    const run = await runCli(['jwks', idp.issuer]);
    assert.equal(run.code, 0, run.stderr);
    for (const key of idp.publicJwks().keys) assert.match(run.stdout, new RegExp(`✓ usable  ${key.kid}`));
    assert.match(run.stdout, /size\s+2048 bits/);
    assert.match(run.stdout, /size\s+256 bits \(P-256\)/);
    assert.match(run.stdout, /from jwks_uri of the discovery document/);
  });

  test('weak and secret keys are reported as left out, with the reason; an enc key as unused', async () => {
    const run = await runCli(['jwks', `${keys.url}/jwks`]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /✓ usable {2}good/);
    assert.match(run.stdout, /✗ left out {2}short[\s\S]*RSA key of 1024 bits is shorter than 2048/);
    assert.match(run.stdout, /✗ left out {2}hmac[\s\S]*symmetric \(oct\) keys are not accepted/);
    assert.match(run.stdout, /~ kept, unused {2}enc[\s\S]*encryption key/);
    const doc = parseJson(await runCli(['jwks', `${keys.url}/jwks`, '--json']));
    assert.equal(doc.source, 'the address itself');
    const rejected = doc.rejectedKeys as Array<Record<string, unknown>>;
    assert.deepEqual(
      rejected.map((k) => [k.kid, k.bits]),
      [
        ['short', 1024],
        ['hmac', 256],
      ],
    );
    const kept = doc.keys as Array<Record<string, unknown>>;
    assert.deepEqual(
      kept.map((k) => [k.kid, k.kty, k.bits]),
      [
        ['good', 'RSA', 2048],
        ['enc', 'RSA', 2048],
      ],
    );
  });

  test('a policy refusal at discovery stops there (no key set fetched from a refused issuer)', async () => {
    impostor.resetCount();
    const run = await runCli(['jwks', impostor.url]);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /refused by the default DiscoveryPolicy/);
    assert.equal(impostor.count, 1);
  });
});
