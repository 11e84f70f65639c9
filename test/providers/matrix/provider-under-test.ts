/**
 * What a scenario of the provider matrix needs from an identity provider, whichever it is. Each fixture
 * (oidc-provider, glewlwyd, django-oauth-toolkit) is wrapped once in a `ProviderDescriptor` (descriptors.ts);
 * a scenario is written once against this shape and runs for every provider whose capabilities it needs.
 * A later feature (introspection, revocation, userinfo, device flow, PAR, DPoP) adds a capability here, the
 * fixtures' endpoints in the descriptors, and a scenario file.
 */
import type { BasicAuthenticationHeaderStyle, TokenResponseErrorType } from '@identity-model/core';
import type { IdpClient } from '../../support/idp.js';

export type ProviderName = 'oidc-provider' | 'glewlwyd' | 'django-oauth-toolkit';

/** How a real provider's refusal must arrive: an unsuccessful `TokenResponse`, never an exception. */
export interface ExpectedRefusal {
  httpStatus: number;
  errorType: TokenResponseErrorType;
  /** The `error` code as sent (`protocol` answers only). */
  error?: string;
}

/** What asking for a scope the provider does not know gives: a refusal, or a grant without it. */
export type ScopeOutcome = ExpectedRefusal | { granted: string | undefined };

/** JWT access tokens (RFC 9068): what the resource-server and rotation scenarios need. */
export interface JwtAccessTokens {
  audience: string;
  otherAudience: string;
  /** A client whose tokens are signed ES256. */
  es256Client: IdpClient;
  /** The kids signing right now (RS256 default, ES256). */
  currentKids(): { RS256: string; ES256: string };
  /** New signing keys from now on, old ones still published. Absent: the provider cannot rotate. */
  rotateKeys?(): Promise<void>;
}

export interface ProviderUnderTest {
  issuer: string;
  tokenEndpoint: string;
  jwksUri: string;
  counts: { readonly discovery: number; readonly jwks: number; readonly token: number };
  resetCounts(): void;
  clients: {
    basic: IdpClient;
    post: IdpClient;
    /** Secrets holding `+ %2B : space / %`. */
    reservedBasic: IdpClient;
    reservedPost: IdpClient;
    /** Absent: the provider does not support private_key_jwt. */
    privateKeyJwt?: IdpClient;
  };
  /** What every client-credentials request carries (glewlwyd needs a scope; `resource` picks the audience). */
  tokenParameters: { scope: string; resource?: string };
  /** Absent: opaque access tokens. */
  jwt?: JwtAccessTokens;
  close(): Promise<void>;
}

export interface ProviderDescriptor {
  name: ProviderName;
  /** The version the matrix was written against (README, report). */
  version: string;
  /** node:test `skip`: a reason off CI when the provider is not installed, else false. */
  skip: string | false;
  start(options?: { accessTokenTtl?: number }): Promise<ProviderUnderTest>;
  /**
   * What it supports, known before it starts (node:test registers tests synchronously): a scenario that
   * needs a capability registers no test for a provider without it (the matrix's "n.a.").
   */
  capabilities: { jwtAccessTokens: boolean; privateKeyJwt: boolean; keyRotation: boolean };
  /** The Basic credentials encoding this provider decodes; the other style must be refused. */
  basicStyle: BasicAuthenticationHeaderStyle;
  expect: {
    /** `grant_types_supported` as published: which of these it lists (absent: not published at all). */
    grantTypesListed?: { clientCredentials: boolean };
    jwks: {
      /** `kty/alg` of the published keys, sorted. */
      keys: string[];
      /** How its `Cache-Control` reads: no-store → the minimum TTL, a max-age → kept, none → the default TTL. */
      caching: 'no-store' | 'max-age' | 'none';
    };
    wrongSecret: ExpectedRefusal;
    /** `no-such-scope` alone, and beside a scope the client holds (`read no-such-scope`). */
    unknownScope: { alone: ScopeOutcome; besideKnown: ScopeOutcome };
    /** The reserved-character secret sent in the other Basic style. */
    wrongBasicStyle: ExpectedRefusal;
    /** A real HTML error page at an address a user may mistype for the token endpoint. */
    htmlErrorPage?: { address: (provider: ProviderUnderTest) => string; refusal: ExpectedRefusal };
  };
}
