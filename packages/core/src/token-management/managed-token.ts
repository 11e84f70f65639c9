import type { DPoPClient } from '../dpop/dpop-client.js';
import type { StoredToken } from './cache-store.js';

/** What `getToken` gives: the token to send and when it stops being usable. */
export interface ClientCredentialsToken {
  accessToken: string;
  tokenType: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  scope?: string;
}

export interface GetTokenOptions {
  /** Skip the cache and fetch a new token (e.g. after the resource server rejected the cached one). */
  forceRenewal?: boolean;
}

/** Anything that hands out access tokens: what the injectors need from a manager. */
export interface AccessTokenSource {
  getToken(options?: GetTokenOptions): Promise<ClientCredentialsToken>;
  /** The key DPoP-bound tokens (`tokenType` `DPoP`) are bound to: the injectors sign each call's proof with it. */
  readonly dpop?: DPoPClient;
}

/** A copy for the caller: the cached entry is never handed out to be mutated. */
export function toClientCredentialsToken(token: StoredToken): ClientCredentialsToken {
  const out: ClientCredentialsToken = {
    accessToken: token.accessToken,
    tokenType: token.tokenType,
    expiresAt: token.expiresAt,
  };
  if (token.scope !== undefined) out.scope = token.scope;
  return out;
}
