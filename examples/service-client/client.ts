import { ClientCredentialsTokenManager, createAuthenticatedFetch } from '@identity-model/core';

export interface ServiceClientOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The API this service calls: its origin is the only place the token is sent. */
  apiUrl: string;
  scope?: string;
}

/**
 * A service calling an API with client-credentials tokens: the manager fetches a token once, caches it and
 * renews it ahead of expiry; `apiFetch` adds it to every request to the API's origin (and nowhere else).
 */
export function createServiceClient({
  issuer,
  clientId,
  clientSecret,
  apiUrl,
  scope = 'read',
}: ServiceClientOptions) {
  const manager = new ClientCredentialsTokenManager({ issuer, clientId, clientSecret, scope });
  const apiFetch = createAuthenticatedFetch(manager, { origins: [new URL(apiUrl).origin] });
  return { manager, apiFetch, close: () => manager.close() };
}
