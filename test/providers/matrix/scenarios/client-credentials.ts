/**
 * Client credentials through our token client with every client authentication the provider supports,
 * and secrets holding `+ %2B : space / %` sent in the Basic style the provider decodes (RFC 6749 §2.3.1
 * form-urlencoding for oidc-provider and django-oauth-toolkit, raw `rfc2617` for glewlwyd). The other style
 * being refused is in error-answers.ts.
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { requestClientCredentialsToken } from '@identity-model/core';
import { decodeJwt } from 'jose';
import type { ProviderUnderTest } from '../provider-under-test.js';
import type { Scenario } from '../run-matrix.js';

type ClientName = keyof ProviderUnderTest['clients'];

const CASES: { client: ClientName; label: string }[] = [
  { client: 'basic', label: 'client_secret_basic' },
  { client: 'post', label: 'client_secret_post' },
  { client: 'privateKeyJwt', label: 'private_key_jwt (ES256 assertion, aud = the token endpoint)' },
  { client: 'reservedBasic', label: 'client_secret_basic, secret with + % : space /' },
  { client: 'reservedPost', label: 'client_secret_post, secret with + % : space /' },
];

export const clientCredentialsScenarios: Scenario = (ctx) => {
  const { capabilities, basicStyle } = ctx.descriptor;

  describe('client credentials', () => {
    for (const { client: name, label } of CASES) {
      if (name === 'privateKeyJwt' && !capabilities.privateKeyJwt) continue;
      const style = label.startsWith('client_secret_basic')
        ? ` (basicAuthenticationHeaderStyle ${basicStyle})`
        : '';
      ctx.test(`${label}${style}: a token`, async () => {
        const p = ctx.provider();
        const client = p.clients[name];
        assert.ok(client, `${name} client`);
        const response = await requestClientCredentialsToken(ctx.tokenRequest(client), ctx.http());
        assert.equal(
          response.isSuccessful,
          true,
          `${response.httpStatus} ${response.errorType} ${response.error}`,
        );
        assert.equal(response.tokenType?.toLowerCase(), 'bearer');
        assert.equal(response.expiresIn, 300);
        const token = response.accessToken as string;
        if (capabilities.jwtAccessTokens) {
          const claims = decodeJwt(token);
          assert.equal(claims.client_id, client.clientId);
          assert.equal(claims.aud, p.jwt?.audience);
        } else {
          assert.match(token, /^[A-Za-z0-9]{30}$/, 'opaque');
        }
      });
    }
  });
};
