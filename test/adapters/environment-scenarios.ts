/**
 * The no-options form (`requireToken()`, `app.register(oidcAuth)`) configured only by environment variables,
 * against a real oidc-provider on loopback. Each adapter's own test folder calls
 * `environmentScenarios(name, start)` with a `start` that builds its middleware with NO arguments when
 * `options` is undefined, so the form users write is the form tested.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { BearerAuthOptions } from '@identity-model/core';
import { startIdp, type TestIdp } from '../support/idp.js';
import {
  assertConfigurationError,
  buildError,
  type OidcVariables,
  withEnvironment,
} from './support/environment.js';

export interface ServedApi {
  /** Serves GET /me → `{ sub }` behind the adapter's middleware. */
  url: string;
  close(): Promise<void>;
}

/** Builds and serves the app; the adapter reads the environment here, so this runs inside `withEnvironment`. */
export type StartApi = (options: BearerAuthOptions | undefined) => Promise<ServedApi>;

/** A ServedApi for an Express or Koa server listening on 127.0.0.1; `release` closes the middleware. */
export async function servedOn(server: Server, release: () => Promise<void>): Promise<ServedApi> {
  if (!server.listening) await new Promise((resolve) => server.once('listening', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await release();
    },
  };
}

export function environmentScenarios(name: string, start: StartApi): void {
  describe(`${name} with no options reads OIDC_ISSUER and OIDC_AUDIENCE`, () => {
    let idp: TestIdp;
    before(async () => {
      idp = await startIdp();
    });
    after(() => idp.close());

    async function serve(
      variables: OidcVariables,
      options: BearerAuthOptions | undefined,
      fn: (status: (token?: string) => Promise<number>) => Promise<void>,
    ): Promise<void> {
      const api = await withEnvironment(variables, () => start(options));
      try {
        await fn(async (token) => {
          const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
          const response = await fetch(`${api.url}/me`, { headers });
          await response.arrayBuffer();
          return response.status;
        });
      } finally {
        await api.close();
      }
    }

    test('no arguments: a real token is 200, a token for another audience 401, none 401', async () => {
      const variables = { OIDC_ISSUER: idp.issuer, OIDC_AUDIENCE: idp.audience };
      await serve(variables, undefined, async (status) => {
        assert.equal(await status(await idp.getToken()), 200);
        assert.equal(await status(await idp.getToken({ resource: idp.otherAudience })), 401);
        assert.equal(await status(), 401);
      });
    });

    test("express-oauth2-jwt-bearer's ISSUER_BASE_URL and AUDIENCE work unrenamed", async () => {
      const variables = { ISSUER_BASE_URL: idp.issuer, AUDIENCE: idp.audience };
      await serve(variables, undefined, async (status) => {
        assert.equal(await status(await idp.getToken()), 200);
        assert.equal(await status(await idp.getToken({ resource: idp.otherAudience })), 401);
      });
    });

    test('explicit options override the environment; a variable whose option is given is not read', async () => {
      const variables = { OIDC_ISSUER: 'not a url', OIDC_AUDIENCE: idp.otherAudience };
      await serve(variables, { issuer: idp.issuer, audience: idp.audience }, async (status) => {
        assert.equal(await status(await idp.getToken()), 200);
        assert.equal(await status(await idp.getToken({ resource: idp.otherAudience })), 401);
      });
      // Only `issuer` given: the audience still comes from OIDC_AUDIENCE.
      await serve(variables, { issuer: idp.issuer }, async (status) => {
        assert.equal(await status(await idp.getToken({ resource: idp.otherAudience })), 200);
        assert.equal(await status(await idp.getToken()), 401);
      });
    });

    test('missing OIDC_ISSUER (or OIDC_AUDIENCE) is a ConfigurationError naming it, at start-up', async () => {
      const noIssuer = await buildError(() =>
        withEnvironment({ OIDC_AUDIENCE: idp.audience }, () => start(undefined)),
      );
      assertConfigurationError(noIssuer, ['OIDC_ISSUER']);
      const noAudience = await buildError(() =>
        withEnvironment({ OIDC_ISSUER: idp.issuer }, () => start(undefined)),
      );
      assertConfigurationError(noAudience, ['OIDC_AUDIENCE']);
    });

    test('an invalid variable is a ConfigurationError naming it, never repeating a credential', async () => {
      const secret = 'pa55-word-in-url';
      const cases: [OidcVariables, string][] = [
        [
          { OIDC_ISSUER: `https://ops:${secret}@idp.example.com`, OIDC_AUDIENCE: idp.audience },
          'OIDC_ISSUER',
        ],
        [{ OIDC_ISSUER: 'http://idp.example.com', OIDC_AUDIENCE: idp.audience }, 'OIDC_ISSUER'],
        [{ ISSUER_BASE_URL: 'idp.example.com', AUDIENCE: idp.audience }, 'ISSUER_BASE_URL'],
        [{ OIDC_ISSUER: idp.issuer, OIDC_AUDIENCE: idp.audience, AUDIENCE: 'urn:other' }, 'AUDIENCE'],
      ];
      for (const [variables, variable] of cases) {
        const error = await buildError(() => withEnvironment(variables, () => start(undefined)));
        assertConfigurationError(error, [variable], [secret]);
      }
    });
  });
}
