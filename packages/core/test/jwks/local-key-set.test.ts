import assert from 'node:assert/strict';
import { sign, verify } from 'node:crypto';
import { describe, test } from 'node:test';
import { ConfigurationError } from '../../src/errors.js';
import { importJwk, LocalKeySet } from '../../src/jwks/index.js';
import { ecKey, edKey, privateJwk, rsaKey } from './test-keys.js';

const rsa = rsaKey('rsa-1');
const ec = ecKey('ec-1');
const ed = edKey('ed-1');

describe('LocalKeySet', () => {
  test('answers by kid, all keys without a kid, nothing for an unknown kid', async () => {
    const set = new LocalKeySet({ keys: [rsa.jwk, ec.jwk, ed.jwk] });
    const [key] = await set.getKeys('ec-1');
    assert.equal(key?.kid, 'ec-1');
    assert.equal(set.isCurrent(key!), true);
    assert.equal((await set.getKeys(undefined)).length, 3);
    assert.deepEqual(await set.getKeys('unknown'), []);
    assert.equal(set.getKeys('ec-1'), set.getKeys('ec-1'), 'the same resolved promise each time');
  });

  test('a key that does not belong to the set is not current', async () => {
    const one = new LocalKeySet({ keys: [ec.jwk] });
    const other = new LocalKeySet({ keys: [ec.jwk] });
    const [key] = await other.getKeys('ec-1');
    assert.equal(one.isCurrent(key!), false);
  });

  test('private key leak: a set holding private members is a configuration error', () => {
    assert.throws(() => new LocalKeySet({ keys: [privateJwk(ec)] }), /private/);
  });

  test('weak or malformed keys are configuration errors naming the key position', () => {
    const weak = rsaKey('weak', 1024);
    assert.throws(
      () => new LocalKeySet({ keys: [ec.jwk, weak.jwk] }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigurationError);
        assert.match(error.message, /keys\[1\].*1024 bits/);
        return true;
      },
    );
    assert.throws(() => new LocalKeySet({ keys: [ec.jwk, { ...ec.jwk }] }), /duplicate kid/);
    assert.throws(() => new LocalKeySet({ keys: [] }), /no key that can verify/);
    assert.throws(() => new LocalKeySet({ keys: [{ ...ec.jwk, use: 'enc' }] }), /no key that can verify/);
  });

  test('symmetric keys only when allowed', async () => {
    const oct = { kty: 'oct', kid: 'hs', k: Buffer.alloc(32, 7).toString('base64url') };
    assert.throws(() => new LocalKeySet({ keys: [oct] }), /oct/);
    const set = new LocalKeySet({ keys: [oct] }, { allowSymmetric: true });
    const [key] = await set.getKeys('hs');
    assert.equal(key?.kty, 'oct');
    assert.equal(key?.keyObject.type, 'secret');
  });
});

describe('importJwk', () => {
  test('imports RSA with its modulus length, and the key verifies its private key signatures', () => {
    const key = importJwk(rsa.jwk);
    assert.equal(key.modulusBits, 2048);
    assert.equal(key.kty, 'RSA');
    assert.equal(key.use, 'sig');
    const data = Buffer.from('payload');
    assert.equal(verify('sha256', data, key.keyObject, sign('sha256', data, rsa.privateKey)), true);
    assert.ok(Object.isFrozen(key));
  });

  test('an EC point that is not on its curve is a configuration error that does not echo the key', () => {
    const bogus = { ...ec.jwk, x: ec.jwk.y };
    assert.throws(
      () => importJwk(bogus),
      (error: unknown) => {
        assert.ok(error instanceof ConfigurationError);
        assert.ok(!error.message.includes(ec.jwk.y!));
        return true;
      },
    );
  });
});
