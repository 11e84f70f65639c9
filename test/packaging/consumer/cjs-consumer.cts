// Compiled against the built `dist/*.d.cts` (no source condition): the types a CommonJS user sees.
import core = require('@identity-model/core');
import express = require('@identity-model/express');
import fastify = require('@identity-model/fastify');
import koa = require('@identity-model/koa');
import redis = require('@identity-model/redis');
import testing = require('@identity-model/testing');

const validator: core.TokenValidator = core.createTokenValidator({
  issuer: 'https://idp.example',
  audience: 'api',
});
export const exported = [
  validator,
  express.requireToken,
  fastify.oidcAuth,
  koa.requireToken,
  redis.RedisCacheStore,
  testing.createTestIssuer,
];
export const mint = (issuer: testing.TestIssuer): string => issuer.createToken({ sub: 'alice' });
