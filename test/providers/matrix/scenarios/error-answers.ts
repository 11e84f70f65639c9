/**
 * Refusals as the real providers send them, standard or not (glewlwyd's 403 with an empty body and
 * `scope_invalid`, django-oauth-toolkit's HTML 404 page): each arrives as an unsuccessful TokenResponse with
 * `httpStatus` and `errorType`, never an exception, and nothing secret in its message.
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { requestClientCredentialsToken, type TokenResponse } from '@identity-model/core';
import type { ExpectedRefusal } from '../provider-under-test.js';
import type { Scenario } from '../run-matrix.js';

function describeRefusal(r: ExpectedRefusal): string {
  return `HTTP ${r.httpStatus} → errorType ${r.errorType}${r.error ? `, error ${r.error}` : ''}`;
}

function assertRefused(response: TokenResponse, expected: ExpectedRefusal, secret: string): void {
  assert.equal(response.isSuccessful, false);
  assert.equal(response.httpStatus, expected.httpStatus);
  assert.equal(response.errorType, expected.errorType);
  if (expected.error) assert.equal(response.error, expected.error);
  else assert.match(response.error ?? '', new RegExp(`^token endpoint answered HTTP ${expected.httpStatus}`));
  assert.equal(response.accessToken, undefined);
  assert.ok(!JSON.stringify(response).includes(secret), 'the secret is not in the response');
  assert.ok(!String(response.error).includes(secret), 'the secret is not in the message');
}

export const errorAnswerScenarios: Scenario = (ctx) => {
  const { expect, basicStyle } = ctx.descriptor;
  const otherStyle = basicStyle === 'rfc6749' ? 'rfc2617' : 'rfc6749';
  const send = (...args: Parameters<typeof ctx.tokenRequest>) =>
    requestClientCredentialsToken(ctx.tokenRequest(...args), ctx.http());

  describe('error answers', () => {
    ctx.test(`a wrong client secret: ${describeRefusal(expect.wrongSecret)}`, async () => {
      const secret = 'wrong-secret-0123456789';
      const response = await send(ctx.provider().clients.basic, { clientSecret: secret });
      assertRefused(response, expect.wrongSecret, secret);
    });

    for (const [scope, outcome] of [
      ['no-such-scope', expect.unknownScope.alone],
      ['read no-such-scope', expect.unknownScope.besideKnown],
    ] as const) {
      const label =
        'granted' in outcome
          ? `dropped, answered scope ${String(outcome.granted)}`
          : describeRefusal(outcome);
      ctx.test(`a scope the provider does not know ("${scope}"): ${label}`, async () => {
        const client = ctx.provider().clients.basic;
        const response = await send(client, { scope });
        if ('granted' in outcome) {
          assert.equal(response.isSuccessful, true, response.error);
          assert.equal(response.scope, outcome.granted);
        } else {
          assertRefused(response, outcome, client.clientSecret);
        }
      });
    }

    ctx.test(
      `the reserved-character secret in the other Basic style (${otherStyle}): ${describeRefusal(expect.wrongBasicStyle)}`,
      async () => {
        const client = ctx.provider().clients.reservedBasic;
        const response = await send(client, { basicAuthenticationHeaderStyle: otherStyle });
        assertRefused(response, expect.wrongBasicStyle, client.clientSecret);
      },
    );

    const html = expect.htmlErrorPage;
    if (html) {
      ctx.test(
        `an HTML error page where the token endpoint was expected: ${describeRefusal(html.refusal)}`,
        async () => {
          const p = ctx.provider();
          const response = await send(p.clients.basic, { address: html.address(p) });
          assertRefused(response, html.refusal, p.clients.basic.clientSecret);
          assert.match(response.error ?? '', /without a JSON object \(text\/html, \d+ bytes\)/);
        },
      );
    }
  });
};
