/**
 * Discovery through our DiscoveryPolicy, per provider. The decision on incomplete documents (glewlwyd's
 * above all): the default policy refuses what the specifications REQUIRE (issuer match, OpenID Connect
 * Discovery §3 fields, https except on loopback, endpoints on the issuer's origin); it tolerates gaps in
 * OPTIONAL, advisory metadata (`grant_types_supported` without `client_credentials`, auth-method lists that
 * omit a method the endpoint accepts, no `end_session_endpoint`), because nothing in the library chooses a
 * grant or a method from them: the caller configures both.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe } from 'node:test';
import {
  ClientCredentialsTokenManager,
  DiscoveryDocumentRequest,
  type DiscoveryPolicyOptions,
  getDiscoveryDocument,
} from '@identity-model/core';
import { clientOptions, type Scenario } from '../run-matrix.js';

/** Serves `document` (its provider's origin rewritten to ours) at every path, like the provider would. */
async function replay(document: string, providerOrigin: string) {
  let origin = '';
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(document.replaceAll(providerOrigin, origin));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export const discoveryScenarios: Scenario = (ctx) => {
  const discover = (address: string, policy?: DiscoveryPolicyOptions) =>
    getDiscoveryDocument(
      new DiscoveryDocumentRequest({ address, ...(policy ? { policy } : {}) }),
      ctx.http(),
    );

  describe('discovery', () => {
    ctx.test(
      'the default (strict) policy accepts its document, which names the endpoints it serves',
      async () => {
        const p = ctx.provider();
        const doc = await discover(p.issuer);
        assert.equal(doc.isSuccessful, true, doc.error);
        assert.equal(doc.issuer, p.issuer);
        assert.equal(doc.tokenEndpoint, p.tokenEndpoint);
        assert.equal(doc.jwksUri, p.jwksUri);
      },
    );

    ctx.test(
      'grant_types_supported is advisory: a token manager built from the issuer gets a token whatever it lists',
      async () => {
        const p = ctx.provider();
        const doc = await discover(p.issuer);
        const grants = doc.getStrings('grant_types_supported');
        const listed = ctx.descriptor.expect.grantTypesListed;
        if (listed === undefined) assert.equal(grants, undefined, 'not published at all');
        else assert.equal(grants?.includes('client_credentials'), listed.clientCredentials, grants?.join());
        const manager = new ClientCredentialsTokenManager({
          issuer: p.issuer,
          ...clientOptions(p.clients.basic),
          basicAuthenticationHeaderStyle: ctx.descriptor.basicStyle,
          ...p.tokenParameters,
          httpClient: ctx.http(),
        });
        try {
          p.resetCounts();
          assert.ok((await manager.getToken()).accessToken);
          assert.deepEqual([p.counts.discovery, p.counts.token], [1, 1]);
        } finally {
          await manager.close();
        }
      },
    );

    ctx.test(
      'its real document without a required field is refused by name; optionalMetadata relaxes exactly that',
      async () => {
        const p = ctx.provider();
        const real = (await (await fetch(`${p.issuer}/.well-known/openid-configuration`)).json()) as Record<
          string,
          unknown
        >;
        const { subject_types_supported: _dropped, ...incomplete } = real;
        const server = await replay(JSON.stringify(incomplete), new URL(p.issuer).origin);
        try {
          const address = `${server.origin}${new URL(p.issuer).pathname.replace(/\/$/, '')}`;
          const refused = await discover(address);
          assert.equal(refused.isSuccessful, false);
          assert.equal(refused.errorType, 'policy');
          assert.match(refused.error ?? '', /lacks metadata .*: subject_types_supported .*optionalMetadata/);
          const relaxed = await discover(address, { optionalMetadata: ['subject_types_supported'] });
          assert.equal(relaxed.isSuccessful, true, relaxed.error);
          assert.equal(relaxed.issuer, address);
        } finally {
          await server.close();
        }
      },
    );
  });
};
