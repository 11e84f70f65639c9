import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { inspect } from 'node:util';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { ConfigurationError } from '../../src/errors.js';
import { createHttpClient } from '../../src/http/index.js';
import type { HttpClient } from '../../src/http/types.js';
import { getUserInfo, UserInfoRequest, type UserInfoRequestOptions } from '../../src/userinfo/index.js';
import { type LocalServer, startServer } from '../token/local-server.js';

const TOKEN = 'at_userinfo_4b5c6d7e8f';
const ALICE = {
  sub: 'alice',
  name: 'Alice Liddell',
  given_name: 'Alice',
  family_name: 'Liddell',
  middle_name: 'P',
  nickname: 'al',
  preferred_username: 'alice.l',
  profile: 'https://example.test/alice',
  picture: 'https://example.test/alice.png',
  website: 'https://alice.example',
  email: 'alice@example.test',
  email_verified: true,
  gender: 'female',
  birthdate: '1852-05-04',
  zoneinfo: 'Europe/London',
  locale: 'en-GB',
  phone_number: '+44 20 7946 0000',
  phone_number_verified: false,
  address: {
    formatted: '1 Rabbit Hole',
    street_address: '1 Rabbit Hole',
    locality: 'Oxford',
    region: 'Oxon',
    postal_code: 'OX1',
    country: 'UK',
  },
  updated_at: 1_700_000_000,
  'https://example.test/department': 'wonderland',
};

interface Answer {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

describe('getUserInfo (OIDC Core §5.3) against a local server', () => {
  let http: HttpClient;
  let server: LocalServer;
  let next: Answer = { status: 200, body: JSON.stringify(ALICE) };
  let signingKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  let publicJwk: JWK;

  before(async () => {
    http = createHttpClient({ retryCount: 0 });
    const pair = await generateKeyPair('ES256', { extractable: true });
    signingKey = pair.privateKey;
    publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'ui-1', alg: 'ES256' };
    server = await startServer((_req, res) => {
      res.writeHead(next.status, { 'content-type': 'application/json', ...next.headers });
      res.end(next.body);
    });
  });
  after(async () => {
    await http.close();
    await server.close();
  });

  const request = (options: Partial<UserInfoRequestOptions> = {}) =>
    new UserInfoRequest({ address: `${server.origin}/userinfo`, token: TOKEN, ...options });
  const ask = (answer: Answer, options: Partial<UserInfoRequestOptions> = {}) => {
    next = answer;
    return getUserInfo(request(options), http);
  };
  const jsonAnswer = (claims: unknown): Answer => ({ status: 200, body: JSON.stringify(claims) });
  const signed = (claims: Record<string, unknown>, header: Record<string, unknown> = {}) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'ui-1', ...header }).sign(signingKey);
  const jwtAnswer = (jwt: string): Answer => ({
    status: 200,
    body: jwt,
    headers: { 'content-type': 'application/jwt' },
  });
  const signedOptions = {
    clientId: 'rp-1',
    signedResponse: { issuer: 'https://op.example', keys: { keys: [] as JWK[] } },
  };

  test('GET with the token as Bearer; every standard claim typed, every claim kept in claims', async () => {
    const response = await ask(jsonAnswer(ALICE));
    assert.equal(response.isSuccessful, true, response.error);
    const seen = server.requests.at(-1);
    assert.equal(seen?.method, 'GET');
    assert.equal(seen?.headers.authorization, `Bearer ${TOKEN}`);
    assert.equal(response.sub, 'alice');
    assert.equal(response.givenName, 'Alice');
    assert.equal(response.familyName, 'Liddell');
    assert.equal(response.middleName, 'P');
    assert.equal(response.nickname, 'al');
    assert.equal(response.preferredUsername, 'alice.l');
    assert.equal(response.profile, ALICE.profile);
    assert.equal(response.picture, ALICE.picture);
    assert.equal(response.website, ALICE.website);
    assert.equal(response.email, ALICE.email);
    assert.equal(response.emailVerified, true);
    assert.equal(response.gender, 'female');
    assert.equal(response.birthdate, '1852-05-04');
    assert.equal(response.zoneinfo, 'Europe/London');
    assert.equal(response.locale, 'en-GB');
    assert.equal(response.phoneNumber, ALICE.phone_number);
    assert.equal(response.phoneNumberVerified, false);
    assert.deepEqual(response.address, {
      formatted: '1 Rabbit Hole',
      streetAddress: '1 Rabbit Hole',
      locality: 'Oxford',
      region: 'Oxon',
      postalCode: 'OX1',
      country: 'UK',
    });
    assert.equal(response.updatedAt, 1_700_000_000);
    assert.equal(response.claims['https://example.test/department'], 'wonderland');
    assert.equal(response.claims.email, ALICE.email);
    assert.ok(Object.isFrozen(response.claims));
  });

  test('POST when asked, the token still in the Authorization header', async () => {
    await ask(jsonAnswer(ALICE), { method: 'POST' });
    const seen = server.requests.at(-1);
    assert.equal(seen?.method, 'POST');
    assert.equal(seen?.headers.authorization, `Bearer ${TOKEN}`);
    assert.equal(seen?.body, '');
  });

  test('a claim of the wrong JSON type is not typed: "true" is no verified email', async () => {
    const response = await ask(
      jsonAnswer({ sub: 'alice', email: 42, email_verified: 'true', updated_at: '1700000000' }),
    );
    assert.equal(response.isSuccessful, true);
    assert.equal(response.email, undefined);
    assert.equal(response.emailVerified, undefined);
    assert.equal(response.updatedAt, undefined);
    assert.equal(response.claims.email_verified, 'true');
  });

  test('sub mismatch: an answer about another user than expectedSubject is refused (OIDC Core §5.3.2)', async () => {
    const response = await ask(jsonAnswer({ ...ALICE, sub: 'mallory' }), { expectedSubject: 'alice' });
    assert.equal(response.isSuccessful, false);
    assert.equal(response.errorType, 'exception');
    assert.match(response.error ?? '', /does not match the expected subject/);
    assert.equal(response.sub, undefined);
    assert.equal(response.email, undefined);
    assert.deepEqual(response.claims, {});
  });

  test('the expected subject passes', async () => {
    const response = await ask(jsonAnswer(ALICE), { expectedSubject: 'alice' });
    assert.equal(response.isSuccessful, true);
  });

  test('an answer without sub is refused (sub is always returned)', async () => {
    const response = await ask(jsonAnswer({ name: 'nobody' }));
    assert.equal(response.errorType, 'exception');
    assert.match(response.error ?? '', /without a sub/);
  });

  test("a 401's WWW-Authenticate Bearer challenge is parsed into the response", async () => {
    const response = await ask({
      status: 401,
      body: '',
      headers: {
        'www-authenticate':
          'Bearer realm="op", error="invalid_token", error_description="the access token expired", DPoP algs="ES256"',
      },
    });
    assert.equal(response.isSuccessful, false);
    assert.equal(response.errorType, 'protocol');
    assert.equal(response.httpStatus, 401);
    assert.equal(response.error, 'invalid_token');
    assert.equal(response.errorDescription, 'the access token expired');
    assert.deepEqual(
      response.challenges.map((c) => c.scheme),
      ['bearer', 'dpop'],
    );
    assert.equal(response.challenges[0]?.params.realm, 'op');
    assert.equal(response.challenges[1]?.params.algs, 'ES256');
  });

  test('a 401 without an error in the challenge is an http response, the challenge kept', async () => {
    const response = await ask({
      status: 401,
      body: '',
      headers: { 'www-authenticate': 'Bearer realm="op"' },
    });
    assert.equal(response.errorType, 'http');
    assert.equal(response.challenges[0]?.params.realm, 'op');
  });

  test('a JSON OAuth error body is a protocol response', async () => {
    const response = await ask({ status: 403, body: JSON.stringify({ error: 'insufficient_scope' }) });
    assert.equal(response.errorType, 'protocol');
    assert.equal(response.error, 'insufficient_scope');
  });

  test('an HTML page on 200 is an exception response', async () => {
    const response = await ask({
      status: 200,
      body: '<html>hi</html>',
      headers: { 'content-type': 'text/html' },
    });
    assert.equal(response.errorType, 'exception');
    assert.match(response.error ?? '', /text\/html/);
  });

  test('a 500 is an http response, never a throw', async () => {
    const response = await ask({ status: 500, body: 'oops', headers: { 'content-type': 'text/plain' } });
    assert.equal(response.errorType, 'http');
    assert.equal(response.httpStatus, 500);
  });

  test('a signed userinfo answer (application/jwt) is verified, then read', async () => {
    const jwt = await signed({ ...ALICE, iss: 'https://op.example', aud: 'rp-1' });
    const options = {
      ...signedOptions,
      signedResponse: { ...signedOptions.signedResponse, keys: { keys: [publicJwk] } },
    };
    const response = await ask(jwtAnswer(jwt), { ...options, expectedSubject: 'alice' });
    assert.equal(response.isSuccessful, true, response.error);
    assert.equal(response.email, ALICE.email);
    assert.equal(response.signedHeader?.alg, 'ES256');
    assert.match(server.requests.at(-1)?.headers.accept ?? '', /application\/jwt/);
  });

  for (const [name, claims, header, pattern] of [
    [
      'for another client (aud)',
      { ...ALICE, iss: 'https://op.example', aud: 'rp-2' },
      {},
      /audience_invalid/,
    ],
    ['from another issuer', { ...ALICE, iss: 'https://evil.example', aud: 'rp-1' }, {}, /issuer_invalid/],
    [
      'signed by an unknown key',
      { ...ALICE, iss: 'https://op.example', aud: 'rp-1' },
      { kid: 'other' },
      /key|kid|signature/,
    ],
  ] as const) {
    test(`forged signed userinfo ${name} is refused`, async () => {
      const jwt = await signed(claims, header);
      const options = {
        ...signedOptions,
        signedResponse: { ...signedOptions.signedResponse, keys: { keys: [publicJwk] } },
      };
      const response = await ask(jwtAnswer(jwt), options);
      assert.equal(response.isSuccessful, false);
      assert.equal(response.errorType, 'exception');
      assert.match(response.error ?? '', pattern);
      assert.equal(response.sub, undefined);
    });
  }

  test('alg none userinfo is refused', async () => {
    const body = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ ...ALICE, iss: 'https://op.example', aud: 'rp-1' })).toString('base64url')}.`;
    const options = {
      ...signedOptions,
      signedResponse: { ...signedOptions.signedResponse, keys: { keys: [publicJwk] } },
    };
    const response = await ask(jwtAnswer(body), options);
    assert.equal(response.isSuccessful, false);
    assert.equal(response.sub, undefined);
  });

  test('a signed answer without clientId to check its audience is refused, not trusted unverified', async () => {
    const jwt = await signed({ ...ALICE, iss: 'https://op.example', aud: 'rp-1' });
    const response = await ask(jwtAnswer(jwt));
    assert.equal(response.errorType, 'exception');
    assert.match(response.error ?? '', /give clientId/);
    assert.equal(response.sub, undefined);
  });

  test('the token never shows in util.inspect or JSON.stringify of the request', () => {
    const r = request();
    assert.ok(!inspect(r, { depth: 5 }).includes(TOKEN));
    assert.ok(!JSON.stringify(r).includes(TOKEN));
  });

  test('header injection: a token with CR/LF is refused at construction', () => {
    assert.throws(() => request({ token: `${TOKEN}\r\nX-Evil: 1` }), ConfigurationError);
  });

  test('options are validated at construction with messages that say what to change', () => {
    assert.throws(() => request({ method: 'PUT' as 'GET' }), /method/);
    assert.throws(() => request({ headers: { Authorization: 'x' } }), /set by the request itself/);
    assert.throws(() => request({ signedResponse: { issuer: 'https://op.example' } }), /give clientId/);
    assert.throws(() => request({ clientId: 'rp-1' }), /issuer: required/);
    assert.throws(() => request({ expectedSubject: '' }), /expectedSubject/);
  });
});
