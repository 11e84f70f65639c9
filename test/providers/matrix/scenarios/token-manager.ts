/**
 * ClientCredentialsTokenManager against the provider's short-lived tokens, counted at the provider: many
 * concurrent callers share one token request, and once the token has expired one renewal serves them all.
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClientCredentialsTokenManager } from '@identity-model/core';
import { clientOptions, type Scenario, SHORT_TTL_SECONDS } from '../run-matrix.js';

const CALLERS = 50;

export const tokenManagerScenarios: Scenario = (ctx) => {
  describe('token manager', () => {
    ctx.test(
      `${CALLERS} concurrent callers → 1 token request; after expiry (${SHORT_TTL_SECONDS} s) → 1 renewal`,
      async () => {
        const p = ctx.shortLived();
        const manager = new ClientCredentialsTokenManager({
          tokenEndpoint: p.tokenEndpoint,
          ...clientOptions(p.clients.basic),
          basicAuthenticationHeaderStyle: ctx.descriptor.basicStyle,
          ...p.tokenParameters,
          // Renew only once expired, so the renewal below is the expiry's doing, not the refresh-ahead window.
          refreshBeforeExpiry: 0,
          httpClient: ctx.http(),
        });
        const callers = () => Promise.all(Array.from({ length: CALLERS }, () => manager.getToken()));
        try {
          p.resetCounts();
          const first = await callers();
          assert.equal(new Set(first.map((t) => t.accessToken)).size, 1, 'every caller got the same token');
          assert.equal(p.counts.token, 1);
          const expiresAt = first[0]?.expiresAt ?? 0;
          assert.ok(expiresAt - Date.now() <= SHORT_TTL_SECONDS * 1000, 'expires_in as the provider sent it');
          await sleep(Math.max(0, expiresAt - Date.now()) + 50);
          const second = await callers();
          const renewed = new Set(second.map((t) => t.accessToken));
          assert.equal(renewed.size, 1);
          assert.ok(!renewed.has(first[0]?.accessToken as string), 'a new token');
          assert.equal(p.counts.token, 2, 'one renewal');
        } finally {
          await manager.close();
        }
      },
    );
  });
};
