/**
 * Runs every scenario of the provider matrix against one provider: `providerMatrix(descriptor)` is called
 * once per provider, one test file each, so the three providers run in parallel and each starts once per
 * file. Two instances per file: one with the default token lifetime, one issuing short-lived tokens for the
 * expiry and renewal scenarios.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ClientCredentialsTokenRequest,
  createHttpClient,
  type HttpClient,
  requestClientCredentialsToken,
  type TokenRequestBaseOptions,
} from '@identity-model/core';
import type { IdpClient } from '../../support/idp.js';
import type { ProviderDescriptor, ProviderUnderTest } from './provider-under-test.js';

/** Lifetime (s) of the short-lived instance's tokens. */
export const SHORT_TTL_SECONDS = 2;

export interface MatrixContext {
  descriptor: ProviderDescriptor;
  /** The instance with the default token lifetime (300 s). */
  provider(): ProviderUnderTest;
  /** The instance whose tokens live `SHORT_TTL_SECONDS`. */
  shortLived(): ProviderUnderTest;
  http(): HttpClient;
  /** A node:test test, skipped (off CI) when the provider is not installed. */
  test(name: string, fn: () => Promise<void> | void): void;
  /** `before`/`after` hooks that do nothing when the provider is skipped. */
  before(fn: () => Promise<void> | void): void;
  after(fn: () => Promise<void> | void): void;
  /** A client-credentials request for `client`, authenticated its way, in this provider's Basic style. */
  tokenRequest(
    client: IdpClient,
    overrides?: Partial<TokenRequestBaseOptions>,
    provider?: ProviderUnderTest,
  ): ClientCredentialsTokenRequest;
  /** An access token for `client` (default `basic`) through our token client; fails the test otherwise. */
  token(options?: { client?: IdpClient; resource?: string; provider?: ProviderUnderTest }): Promise<string>;
}

export type Scenario = (ctx: MatrixContext) => void;

/** The options that authenticate `client` as its fixture registered it. */
export function clientOptions(client: IdpClient) {
  return {
    clientId: client.clientId,
    clientAuthentication: client.authMethod,
    ...(client.privateJwk ? { privateKey: client.privateJwk } : { clientSecret: client.clientSecret }),
  };
}

export function providerMatrix(descriptor: ProviderDescriptor, scenarios: readonly Scenario[]): void {
  const { skip } = descriptor;
  describe(`provider matrix: ${descriptor.name}`, () => {
    let main: ProviderUnderTest | undefined;
    let short: ProviderUnderTest | undefined;
    let http: HttpClient | undefined;
    const running = <T>(value: T | undefined, what: string): T => {
      assert.ok(value, `${what} is not running`);
      return value;
    };

    const ctx: MatrixContext = {
      descriptor,
      provider: () => running(main, descriptor.name),
      shortLived: () => running(short, `${descriptor.name} (short-lived tokens)`),
      http: () => running(http, 'the HTTP client'),
      test: (name, fn) => test(name, { skip }, fn),
      before: (fn) => before(() => (skip ? undefined : fn())),
      after: (fn) => after(() => (skip ? undefined : fn())),
      tokenRequest(client, overrides = {}, provider = ctx.provider()) {
        return new ClientCredentialsTokenRequest({
          address: provider.tokenEndpoint,
          ...clientOptions(client),
          basicAuthenticationHeaderStyle: descriptor.basicStyle,
          ...provider.tokenParameters,
          ...overrides,
        });
      },
      async token({ client, resource, provider = ctx.provider() } = {}) {
        const request = ctx.tokenRequest(
          client ?? provider.clients.basic,
          resource ? { resource } : {},
          provider,
        );
        const response = await requestClientCredentialsToken(request, ctx.http());
        assert.equal(response.isSuccessful, true, `${response.httpStatus} ${response.error}`);
        return response.accessToken as string;
      },
    };

    before(async () => {
      if (skip) return;
      // No retries: a refusal must show at once, as the provider sent it.
      http = createHttpClient({ retryCount: 0, timeoutMs: 5000 });
      [main, short] = await Promise.all([
        descriptor.start(),
        descriptor.start({ accessTokenTtl: SHORT_TTL_SECONDS }),
      ]);
    });
    after(async () => {
      await Promise.all([main?.close(), short?.close(), http?.close()]);
    });

    for (const scenario of scenarios) scenario(ctx);
  });
}
