import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { secretIssuer } from '../../../../test/adapters/support/secret-tokens.js';
import { createBearerAuthenticator } from '../../src/bearer/authenticator.js';
import { BearerError } from '../../src/bearer/bearer-error.js';
import type { BearerRequest } from '../../src/bearer/extract-token.js';
import type { SenderConstraintError } from '../../src/bearer/sender-constraint-error.js';
import { generateDPoPKey } from '../../src/dpop/dpop-key.js';
import { DPoPProofError } from '../../src/dpop/dpop-proof-error.js';
import { jwkThumbprint } from '../../src/dpop/jwk-thumbprint.js';
import { TokenValidationError } from '../../src/errors.js';
import type { ReplayStore } from '../../src/replay/replay-store.js';
import { defaultKey, proof } from '../dpop/proof-support.js';

const issuer = secretIssuer('dpop');
const jkt = jwkThumbprint(defaultKey.publicJwk);
const URL_ = 'http://api.example/things';

function dpopRequest(token: string, proofs: string[], extra: Partial<BearerRequest> = {}): BearerRequest {
  const rawHeaders = ['Host', 'api.example', 'Authorization', `DPoP ${token}`];
  for (const p of proofs) rawHeaders.push('DPoP', p);
  const headers: Record<string, string> = { host: 'api.example', authorization: `DPoP ${token}` };
  if (proofs.length > 0) headers.dpop = proofs.join(', ');
  return {
    method: 'GET',
    url: '/things?page=2',
    headers,
    rawHeaders,
    socket: { remoteAddress: '127.0.0.1', encrypted: false },
    ...extra,
  };
}

async function refusal(promise: Promise<unknown>): Promise<BearerError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof BearerError, `expected a BearerError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a refusal');
}

describe('DPoP at the resource server (default mode allowed)', () => {
  const auth = createBearerAuthenticator({ ...issuer.options, realm: 'api' });

  test('a DPoP-bound token with a valid proof passes, bound to the proof key', async () => {
    const token = await issuer.sign({ cnf: { jkt } });
    const result = await auth.authenticate(dpopRequest(token, [proof('GET', URL_, { accessToken: token })]));
    assert.deepEqual(result?.binding, { method: 'dpop', jkt });
    assert.equal(result?.claims.iss, issuer.issuer);
  });

  test('every challenge offers Bearer and DPoP', async () => {
    const error = await refusal(auth.authenticate({ method: 'GET', url: '/', headers: {} }));
    assert.equal(error.status, 401);
    assert.equal(
      error.headers['www-authenticate'],
      `Bearer realm="api", DPoP realm="api", algs="ES256 ES384 PS256 RS256 EdDSA"`,
    );
  });

  test('replayed proof: the second use of a jti is refused', async () => {
    const token = await issuer.sign({ cnf: { jkt } });
    const once = proof('GET', URL_, { accessToken: token });
    await auth.authenticate(dpopRequest(token, [once]));
    const error = await refusal(auth.authenticate(dpopRequest(token, [once])));
    assert.equal(error.code, 'invalid_dpop_proof');
    assert.ok(error.cause instanceof DPoPProofError);
    assert.equal(error.cause.code, 'dpop_replayed');
    assert.equal(
      error.headers['www-authenticate'],
      'Bearer realm="api", DPoP realm="api", error="invalid_dpop_proof", error_description="The DPoP proof was already used", algs="ES256 ES384 PS256 RS256 EdDSA"',
    );
  });

  test('missing proof with the DPoP scheme → invalid_dpop_proof', async () => {
    const token = await issuer.sign({ cnf: { jkt } });
    const error = await refusal(auth.authenticate(dpopRequest(token, [])));
    assert.equal(error.code, 'invalid_dpop_proof');
    assert.equal((error.cause as DPoPProofError).code, 'dpop_proof_missing');
  });

  test('two DPoP headers → invalid_dpop_proof (dpop_proof_repeated), counted in rawHeaders and joined', async () => {
    const token = await issuer.sign({ cnf: { jkt } });
    const a = proof('GET', URL_, { accessToken: token });
    const b = proof('GET', URL_, { accessToken: token });
    const error = await refusal(auth.authenticate(dpopRequest(token, [a, b])));
    assert.equal((error.cause as DPoPProofError).code, 'dpop_proof_repeated');
    const joined = dpopRequest(token, [a, b], { rawHeaders: undefined });
    const again = await refusal(auth.authenticate(joined));
    assert.equal((again.cause as DPoPProofError).code, 'dpop_proof_repeated');
  });

  test('a proof by another key than cnf.jkt names → dpop_jkt_mismatch', async () => {
    const token = await issuer.sign({ cnf: { jkt } });
    const other = generateDPoPKey('ES256');
    const error = await refusal(
      auth.authenticate(dpopRequest(token, [proof('GET', URL_, { key: other, accessToken: token })])),
    );
    assert.equal(error.code, 'invalid_dpop_proof');
    assert.equal((error.cause as DPoPProofError).code, 'dpop_jkt_mismatch');
  });

  test('extra cnf members are tolerated', async () => {
    const token = await issuer.sign({ cnf: { jkt, kid: 'x' } });
    const result = await auth.authenticate(dpopRequest(token, [proof('GET', URL_, { accessToken: token })]));
    assert.equal(result?.binding?.method, 'dpop');
  });

  test('the DPoP scheme with a token that is not DPoP-bound → invalid_token on the DPoP challenge', async () => {
    const token = await issuer.sign();
    const error = await refusal(
      auth.authenticate(dpopRequest(token, [proof('GET', URL_, { accessToken: token })])),
    );
    assert.equal(error.code, 'invalid_token');
    assert.equal((error.cause as SenderConstraintError).code, 'dpop_token_unbound');
    assert.equal(
      error.headers['www-authenticate'],
      'Bearer realm="api", DPoP realm="api", error="invalid_token", error_description="The access token is not DPoP-bound", algs="ES256 ES384 PS256 RS256 EdDSA"',
    );
  });

  test('an invalid token with a valid proof → invalid_token on the DPoP challenge', async () => {
    const token = await issuer.sign({ cnf: { jkt }, iat: 1_000_000, exp: 1_000_300 });
    const error = await refusal(
      auth.authenticate(dpopRequest(token, [proof('GET', URL_, { accessToken: token })])),
    );
    assert.equal(error.code, 'invalid_token');
    assert.ok(error.cause instanceof TokenValidationError);
    assert.equal(
      error.headers['www-authenticate'],
      'Bearer realm="api", DPoP realm="api", error="invalid_token", error_description="The access token expired", algs="ES256 ES384 PS256 RS256 EdDSA"',
    );
  });

  test('bound token downgraded to Bearer → invalid_token on the Bearer challenge', async () => {
    const token = await issuer.sign({ cnf: { jkt } });
    const error = await refusal(
      auth.authenticate({ method: 'GET', url: '/', headers: { authorization: `Bearer ${token}` } }),
    );
    assert.equal(error.status, 401);
    assert.equal((error.cause as SenderConstraintError).code, 'dpop_bound_token_as_bearer');
    assert.equal(
      error.headers['www-authenticate'],
      `Bearer realm="api", error="invalid_token", error_description="The access token is DPoP-bound: send it with the DPoP scheme and a proof", DPoP realm="api", algs="ES256 ES384 PS256 RS256 EdDSA"`,
    );
  });

  test('a DPoP proof with the Bearer scheme → 400 invalid_request', async () => {
    const token = await issuer.sign();
    const error = await refusal(
      auth.authenticate({
        method: 'GET',
        url: '/',
        headers: { authorization: `Bearer ${token}`, dpop: proof('GET', URL_) },
      }),
    );
    assert.equal(error.status, 400);
    assert.equal(error.code, 'invalid_request');
  });

  test('a plain bearer token still passes in allowed mode', async () => {
    const token = await issuer.sign();
    const result = await auth.authenticate({
      method: 'GET',
      url: '/',
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(result?.binding, undefined);
    assert.equal(result?.claims.iss, issuer.issuer);
  });
});

describe('DPoP modes', () => {
  test("'required': a plain bearer token → 401 invalid_token on the DPoP challenge, Bearer not offered", async () => {
    const auth = createBearerAuthenticator({
      ...issuer.options,
      dpop: { mode: 'required', algorithms: ['ES256'] },
    });
    const token = await issuer.sign();
    const error = await refusal(
      auth.authenticate({ method: 'GET', url: '/', headers: { authorization: `Bearer ${token}` } }),
    );
    assert.equal(error.code, 'invalid_token');
    assert.equal((error.cause as SenderConstraintError).code, 'dpop_required');
    assert.equal(
      error.headers['www-authenticate'],
      'DPoP error="invalid_token", error_description="A DPoP-bound access token and a DPoP proof are required", algs="ES256"',
    );
    const bound = await issuer.sign({ cnf: { jkt } });
    const ok = await auth.authenticate(dpopRequest(bound, [proof('GET', URL_, { accessToken: bound })]));
    assert.deepEqual(ok?.binding, { method: 'dpop', jkt });
    await auth.close();
  });

  test("'disabled': the DPoP scheme is no bearer credentials; challenges are Bearer only", async () => {
    const auth = createBearerAuthenticator({ ...issuer.options, dpop: { mode: 'disabled' } });
    const token = await issuer.sign({ cnf: { jkt } });
    const error = await refusal(
      auth.authenticate(dpopRequest(token, [proof('GET', URL_, { accessToken: token })])),
    );
    assert.equal(error.code, 'token_missing');
    assert.equal(error.headers['www-authenticate'], 'Bearer');
  });

  test('an unknown mode or a symmetric algorithm is refused when built', () => {
    assert.throws(
      () => createBearerAuthenticator({ ...issuer.options, dpop: { mode: 'on' as 'allowed' } }),
      /dpop.mode/,
    );
    assert.throws(
      () => createBearerAuthenticator({ ...issuer.options, dpop: { algorithms: ['HS256'] } }),
      /asymmetric/,
    );
    assert.throws(
      () => createBearerAuthenticator({ ...issuer.options, dpop: { algorithms: ['none'] } }),
      /asymmetric/,
    );
  });
});

describe('DPoP server nonces', () => {
  test('no nonce → use_dpop_nonce with DPoP-Nonce; the same proof with that nonce passes', async () => {
    const auth = createBearerAuthenticator({ ...issuer.options, dpop: { nonce: true } });
    const token = await issuer.sign({ cnf: { jkt } });
    const error = await refusal(
      auth.authenticate(dpopRequest(token, [proof('GET', URL_, { accessToken: token })])),
    );
    assert.equal(error.code, 'use_dpop_nonce');
    assert.equal(error.status, 401);
    const nonce = error.headers['dpop-nonce'];
    assert.match(nonce ?? '', /^[A-Za-z0-9_-]{30}$/);
    assert.equal(
      error.headers['www-authenticate'],
      'Bearer, DPoP error="use_dpop_nonce", error_description="A DPoP nonce is required", algs="ES256 ES384 PS256 RS256 EdDSA"',
    );
    const ok = await auth.authenticate(
      dpopRequest(token, [proof('GET', URL_, { accessToken: token, claims: { nonce } })]),
    );
    assert.equal(ok?.binding?.method, 'dpop');
    const forged = await refusal(
      auth.authenticate(
        dpopRequest(token, [
          proof('GET', URL_, { accessToken: token, claims: { nonce: forgedNonce(nonce ?? '') } }),
        ]),
      ),
    );
    assert.equal(forged.code, 'use_dpop_nonce');
  });

  /**
   * The nonce with one MAC character changed. Not the last: it holds only 2 significant bits (4 valid
   * values), so replacing it with a fixed letter could give back the same nonce.
   */
  function forgedNonce(nonce: string): string {
    const at = nonce.length - 5;
    return `${nonce.slice(0, at)}${nonce[at] === 'A' ? 'B' : 'A'}${nonce.slice(at + 1)}`;
  }

  test('replicas sharing a nonce secret accept each other’s nonces', async () => {
    const secret = 'a shared nonce secret of at least 32 bytes!';
    const one = createBearerAuthenticator({ ...issuer.options, dpop: { nonce: { secret } } });
    const two = createBearerAuthenticator({ ...issuer.options, dpop: { nonce: { secret } } });
    const token = await issuer.sign({ cnf: { jkt } });
    const error = await refusal(
      one.authenticate(dpopRequest(token, [proof('GET', URL_, { accessToken: token })])),
    );
    const nonce = error.headers['dpop-nonce'];
    const ok = await two.authenticate(
      dpopRequest(token, [proof('GET', URL_, { accessToken: token, claims: { nonce } })]),
    );
    assert.equal(ok?.binding?.method, 'dpop');
  });
});

describe('DPoP replay store failures', () => {
  test('a store that cannot answer → 503 temporarily_unavailable with Retry-After', async () => {
    const broken: ReplayStore = { setIfAbsent: () => Promise.reject(new Error('redis down')) };
    const auth = createBearerAuthenticator({
      ...issuer.options,
      retryAfter: 7,
      dpop: { replayStore: broken },
    });
    const token = await issuer.sign({ cnf: { jkt } });
    const error = await refusal(
      auth.authenticate(dpopRequest(token, [proof('GET', URL_, { accessToken: token })])),
    );
    assert.equal(error.status, 503);
    assert.deepEqual(error.headers, { 'retry-after': '7' });
    assert.equal(error.body.error, 'temporarily_unavailable');
    assert.equal((error.cause as SenderConstraintError).code, 'replay_check_unavailable');
  });
});

describe('the URL the proof must name', () => {
  const token = () => issuer.sign({ cnf: { jkt } });

  test('forwarded-host spoof with no trusted proxy: X-Forwarded-Host is ignored', async () => {
    const auth = createBearerAuthenticator({ ...issuer.options });
    const t = await token();
    const request = dpopRequest(t, [proof('GET', 'https://evil.example/things', { accessToken: t })]);
    Object.assign(request.headers, { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' });
    const error = await refusal(auth.authenticate(request));
    assert.equal((error.cause as DPoPProofError).code, 'dpop_htu_mismatch');
  });

  test('from a trusted proxy, X-Forwarded-Proto/-Host/-Port rebuild the URL', async () => {
    const auth = createBearerAuthenticator({ ...issuer.options, trustedProxies: ['10.0.0.0/8'] });
    const t = await token();
    const request = dpopRequest(t, [proof('GET', 'https://public.example:8443/things', { accessToken: t })], {
      socket: { remoteAddress: '::ffff:10.1.2.3', encrypted: false },
    });
    Object.assign(request.headers, {
      'x-forwarded-host': 'public.example',
      'x-forwarded-proto': 'https',
      'x-forwarded-port': '8443',
    });
    const ok = await auth.authenticate(request);
    assert.equal(ok?.binding?.method, 'dpop');
  });

  test('publicUrl overrides Host and every forwarding header', async () => {
    const auth = createBearerAuthenticator({
      ...issuer.options,
      publicUrl: 'https://api.example.com/v1',
      trustedProxies: ['127.0.0.1'],
    });
    const t = await token();
    const request = dpopRequest(t, [proof('GET', 'https://api.example.com/v1/things', { accessToken: t })]);
    Object.assign(request.headers, { 'x-forwarded-host': 'other.example' });
    assert.equal((await auth.authenticate(request))?.binding?.method, 'dpop');
  });
});
