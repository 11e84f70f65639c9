/**
 * HS256 tokens and validator options for adapter tests that need a real validator but no identity provider:
 * `createTokenValidator` with a shared secret verifies them exactly as it would any other token.
 */
import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';

export interface SecretIssuer {
  issuer: string;
  audience: string;
  secret: Uint8Array;
  /** Validator options for `createTokenValidator` / the adapters. */
  options: { issuer: string; audience: string; secret: Uint8Array; algorithms: string[] };
  /** A token from this issuer, valid for 5 minutes, with `scope` and any extra claims. */
  sign(claims?: Record<string, unknown>): Promise<string>;
}

export function secretIssuer(name = 'a'): SecretIssuer {
  const issuer = `https://issuer-${name}.example`;
  const audience = 'urn:identity-model:adapter-test';
  const secret = new Uint8Array(randomBytes(32));
  return {
    issuer,
    audience,
    secret,
    options: { issuer, audience, secret, algorithms: ['HS256'] },
    async sign(claims = {}) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({
        iss: issuer,
        aud: audience,
        sub: `client-${name}`,
        iat: now,
        exp: now + 300,
        ...claims,
      })
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
        .sign(secret);
    },
  };
}
