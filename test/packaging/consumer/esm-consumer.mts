// Compiled against the built `dist/*.d.ts` (no source condition): the types an ESM user sees.
import {
  ClientCredentialsTokenManager,
  createTokenValidator,
  IdentityModelError,
  type TokenValidator,
  type ValidatedToken,
} from '@identity-model/core';
import { requireToken as expressRequireToken } from '@identity-model/express';
import { oidcAuth } from '@identity-model/fastify';
import { requireToken as koaRequireToken } from '@identity-model/koa';
import { RedisCacheStore } from '@identity-model/redis';
import { createTestIssuer, type TestIssuer } from '@identity-model/testing';

const validator: TokenValidator = createTokenValidator({ issuer: 'https://idp.example', audience: 'api' });
const use = (t: ValidatedToken): readonly string[] => t.scopes;
export const exported = [
  validator,
  use,
  ClientCredentialsTokenManager,
  IdentityModelError,
  expressRequireToken,
  oidcAuth,
  koaRequireToken,
  RedisCacheStore,
  createTestIssuer,
];
export const mint = (issuer: TestIssuer): string => issuer.createToken({ sub: 'alice', scope: ['read'] });
