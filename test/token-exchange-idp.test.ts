/**
 * Token exchange (RFC 8693) against a real provider: oidc-provider with the grant registered by
 * test/support/token-exchange-grant.ts. The library's TokenExchangeTokenRequest / requestTokenExchangeToken
 * send it; the issued tokens are verified with the provider's published keys.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  createHttpClient,
  type HttpClient,
  OidcConstants,
  requestTokenExchangeToken,
  TokenExchangeTokenRequest,
  type TokenExchangeTokenRequestOptions,
  type TokenResponse,
} from '@identity-model/core';
import { createLocalJWKSet, generateKeyPair, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { startIdp, type TestIdp } from './support/idp.js';

const ACCESS_TOKEN = OidcConstants.TokenTypeIdentifiers.AccessToken;

describe('token exchange (RFC 8693) against oidc-provider', () => {
  let idp: TestIdp;
  let http: HttpClient;
  before(async () => {
    idp = await startIdp();
    http = createHttpClient({ retryCount: 0 });
  });
  after(async () => {
    await http.close();
    await idp.close();
  });

  /** The exchanging party is `svc-post` (the API that received the subject's token). */
  const exchange = (options: Partial<TokenExchangeTokenRequestOptions> & { subjectToken: string }) =>
    requestTokenExchangeToken(
      new TokenExchangeTokenRequest({
        address: `${idp.issuer}/token`,
        clientId: idp.clients.post.clientId,
        clientSecret: idp.clients.post.clientSecret,
        clientAuthentication: 'client_secret_post',
        subjectTokenType: ACCESS_TOKEN,
        ...options,
      }),
      http,
    );

  async function issued(response: TokenResponse, audience: string): Promise<JWTPayload> {
    assert.equal(response.isSuccessful, true, `${response.error}: ${response.errorDescription}`);
    assert.equal(response.issuedTokenType, ACCESS_TOKEN);
    assert.equal(response.tokenType, 'Bearer');
    const { payload, protectedHeader } = await jwtVerify(
      response.accessToken as string,
      createLocalJWKSet(idp.publicJwks()),
      { issuer: idp.issuer, audience },
    );
    assert.equal(protectedHeader.typ, 'at+jwt');
    return payload;
  }

  const serviceToken = () => idp.getToken({ client: idp.clients.basic, scope: 'read' });

  test('a service token is exchanged for a token for another audience (RFC 8693 §2.1 audience)', async () => {
    const claims = await issued(
      await exchange({ subjectToken: await serviceToken(), audience: idp.otherAudience }),
      idp.otherAudience,
    );
    assert.equal(claims.aud, idp.otherAudience);
    assert.equal(claims.client_id, idp.clients.post.clientId);
    assert.equal(claims.scope, 'read');
  });

  test('the target may be named as a resource indicator instead (RFC 8693 §2.1 resource)', async () => {
    const claims = await issued(
      await exchange({ subjectToken: await serviceToken(), resource: idp.otherAudience }),
      idp.otherAudience,
    );
    assert.equal(claims.aud, idp.otherAudience);
  });

  test('impersonation: without an actor token the issued token is the subject’s (its sub, no act claim)', async () => {
    const claims = await issued(
      await exchange({ subjectToken: await serviceToken(), audience: idp.otherAudience }),
      idp.otherAudience,
    );
    assert.equal(claims.sub, idp.clients.basic.clientId);
    assert.equal(claims.act, undefined);
  });

  test('delegation: with an actor token the issued token names the actor in act (RFC 8693 §4.1)', async () => {
    const actorToken = await idp.getToken({ client: idp.clients.post, scope: 'read' });
    const claims = await issued(
      await exchange({
        subjectToken: await serviceToken(),
        actorToken,
        actorTokenType: ACCESS_TOKEN,
        audience: idp.otherAudience,
      }),
      idp.otherAudience,
    );
    assert.equal(claims.sub, idp.clients.basic.clientId);
    assert.deepEqual(claims.act, { sub: idp.clients.post.clientId });
  });

  test('delegation of a delegated token nests the prior actor inside act', async () => {
    const firstActor = await idp.getToken({ client: idp.clients.post, scope: 'read' });
    const first = await exchange({
      subjectToken: await serviceToken(),
      actorToken: firstActor,
      actorTokenType: ACCESS_TOKEN,
    });
    assert.equal(first.isSuccessful, true, first.error);
    const secondActor = await idp.getToken({ client: idp.clients.readOnly, scope: 'read' });
    const claims = await issued(
      await exchange({
        subjectToken: first.accessToken as string,
        actorToken: secondActor,
        actorTokenType: ACCESS_TOKEN,
        audience: idp.otherAudience,
      }),
      idp.otherAudience,
    );
    assert.deepEqual(claims.act, {
      sub: idp.clients.readOnly.clientId,
      act: { sub: idp.clients.post.clientId },
    });
  });

  async function assertRefused(response: TokenResponse, error: string): Promise<void> {
    assert.equal(response.isSuccessful, false);
    assert.equal(response.errorType, 'protocol');
    assert.equal(response.error, error, response.errorDescription);
    assert.equal(response.httpStatus, 400);
    assert.equal(response.accessToken, undefined);
  }

  test('an invalid subject_token is invalid_grant: garbage, forged, expired, another issuer’s', async () => {
    const foreign = await generateKeyPair('RS256', { extractable: true });
    const forged = await new SignJWT({ sub: 'svc-basic', aud: idp.audience, client_id: 'svc-basic' })
      .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: idp.privateJwk('RS256').kid as string })
      .setIssuer(idp.issuer)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(foreign.privateKey);
    const now = Math.floor(Date.now() / 1000);
    const expired = await idp.signToken({ sub: 'svc-basic', iat: now - 600, exp: now - 300 });
    const otherIssuer = await idp.signToken({ sub: 'svc-basic', iss: 'https://elsewhere.example' });
    for (const subjectToken of ['not-a-token', forged, expired, otherIssuer]) {
      await assertRefused(await exchange({ subjectToken }), 'invalid_grant');
    }
  });

  test('an invalid actor_token is invalid_grant too (a delegation cannot be claimed with a forged actor)', async () => {
    await assertRefused(
      await exchange({
        subjectToken: await serviceToken(),
        actorToken: 'forged.actor.token',
        actorTokenType: ACCESS_TOKEN,
      }),
      'invalid_grant',
    );
  });

  test('an exchange cannot widen the scope of the subject token (invalid_scope)', async () => {
    await assertRefused(
      await exchange({ subjectToken: await serviceToken(), scope: 'read write' }),
      'invalid_scope',
    );
  });

  test('an audience the provider does not serve is invalid_target', async () => {
    await assertRefused(
      await exchange({ subjectToken: await serviceToken(), audience: 'urn:identity-model:unknown-api' }),
      'invalid_target',
    );
  });
});
