import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { secretIssuer } from '../../../../test/adapters/support/secret-tokens.js';
import { createBearerAuthenticator } from '../../src/bearer/authenticator.js';
import { BearerError } from '../../src/bearer/bearer-error.js';
import type { BearerRequest } from '../../src/bearer/extract-token.js';
import type { SenderConstraintError } from '../../src/bearer/sender-constraint-error.js';
import { DPoPProofError } from '../../src/dpop/dpop-proof-error.js';
import { jwkThumbprint } from '../../src/dpop/jwk-thumbprint.js';
import type { ReplayStore } from '../../src/replay/replay-store.js';
import { defaultKey, proof } from '../dpop/proof-support.js';

const issuer = secretIssuer('dpop-now');
const jkt = jwkThumbprint(defaultKey.publicJwk);
const URL_ = 'http://api.example/things';

function dpopRequest(token: string, dpop: string): BearerRequest {
  return {
    method: 'GET',
    url: '/things',
    headers: { host: 'api.example', authorization: `DPoP ${token}`, dpop },
    socket: { remoteAddress: '127.0.0.1', encrypted: false },
  };
}

async function refusal(outcome: unknown): Promise<BearerError> {
  assert.ok(outcome instanceof Promise, 'a refusal is a rejected promise, never a throw');
  try {
    await outcome;
  } catch (error) {
    assert.ok(error instanceof BearerError, `expected a BearerError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a refusal');
}

/** A store that answers only through the promise, as a networked one does. */
function asyncStore(): ReplayStore & { calls: number } {
  const seen = new Set<string>();
  return {
    calls: 0,
    async setIfAbsent(key) {
      this.calls++;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    },
  };
}

describe('authenticateNow with DPoP: no promise when the keys are at hand and the replay store answers at once', () => {
  test('a valid DPoP request is answered synchronously, and its replay is refused', async () => {
    const auth = createBearerAuthenticator({ ...issuer.options, dpop: { mode: 'required' } });
    try {
      const token = await issuer.sign({ cnf: { jkt } });
      const once = proof('GET', URL_, { accessToken: token });
      const ok = auth.authenticateNow(dpopRequest(token, once));
      assert.ok(ok !== undefined && !(ok instanceof Promise), 'answered without a promise');
      assert.deepEqual(ok.binding, { method: 'dpop', jkt });
      const replay = await refusal(auth.authenticateNow(dpopRequest(token, once)));
      assert.equal(replay.code, 'invalid_dpop_proof');
      assert.ok(replay.cause instanceof DPoPProofError);
      assert.equal(replay.cause.code, 'dpop_replayed');
    } finally {
      await auth.close();
    }
  });

  test('a replay store without setIfAbsentNow is awaited, with the same verdicts', async () => {
    const store = asyncStore();
    const auth = createBearerAuthenticator({ ...issuer.options, dpop: { replayStore: store } });
    try {
      const token = await issuer.sign({ cnf: { jkt } });
      const once = proof('GET', URL_, { accessToken: token });
      const pending = auth.authenticateNow(dpopRequest(token, once));
      assert.ok(pending instanceof Promise);
      assert.deepEqual((await pending)?.binding, { method: 'dpop', jkt });
      const replay = await refusal(auth.authenticateNow(dpopRequest(token, once)));
      assert.equal((replay.cause as DPoPProofError).code, 'dpop_replayed');
      assert.equal(store.calls, 2);
    } finally {
      await auth.close();
    }
  });

  test('a store that cannot tell at once is a 503 with Retry-After, the jti not taken as fresh', async () => {
    const broken: ReplayStore = {
      setIfAbsent: () => Promise.reject(new Error('down')),
      setIfAbsentNow: () => {
        throw new Error('down');
      },
    };
    const auth = createBearerAuthenticator({ ...issuer.options, dpop: { replayStore: broken } });
    try {
      const token = await issuer.sign({ cnf: { jkt } });
      const error = await refusal(
        auth.authenticateNow(dpopRequest(token, proof('GET', URL_, { accessToken: token }))),
      );
      assert.equal(error.status, 503);
      assert.equal(error.code, 'keys_unavailable');
      assert.equal((error.cause as SenderConstraintError).code, 'replay_check_unavailable');
      assert.ok(error.headers['retry-after']);
    } finally {
      await auth.close();
    }
  });

  test('a bad proof signature is answered before the token verdict, on the synchronous path too', async () => {
    const auth = createBearerAuthenticator({ ...issuer.options });
    try {
      const expired = await issuer.sign({ cnf: { jkt }, exp: Math.floor(Date.now() / 1000) - 600 });
      const good = proof('GET', URL_, { accessToken: expired });
      const forged = `${good.slice(0, good.lastIndexOf('.') + 1)}${'A'.repeat(86)}`;
      const first = await refusal(auth.authenticateNow(dpopRequest(expired, forged)));
      assert.equal((first.cause as DPoPProofError).code, 'dpop_signature_invalid');
      const second = await refusal(auth.authenticateNow(dpopRequest(expired, good)));
      assert.equal(second.code, 'invalid_token', 'a valid proof: the token verdict');
    } finally {
      await auth.close();
    }
  });

  test('a proof for an unbound token, or for another key, burns no jti', async () => {
    const auth = createBearerAuthenticator({ ...issuer.options });
    try {
      const unbound = await issuer.sign();
      const once = proof('GET', URL_, { accessToken: unbound });
      const first = await refusal(auth.authenticateNow(dpopRequest(unbound, once)));
      assert.equal((first.cause as SenderConstraintError).code, 'dpop_token_unbound');
      const again = await refusal(auth.authenticateNow(dpopRequest(unbound, once)));
      assert.equal((again.cause as SenderConstraintError).code, 'dpop_token_unbound', 'not dpop_replayed');
    } finally {
      await auth.close();
    }
  });
});
