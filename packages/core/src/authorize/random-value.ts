import { randomBytes } from 'node:crypto';

/** 32 bytes from the CSPRNG, base64url (43 characters): a `state`, a `nonce`, a PKCE verifier or a `jti`. */
export function randomValue(): string {
  return randomBytes(32).toString('base64url');
}
