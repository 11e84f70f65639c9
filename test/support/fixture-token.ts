/**
 * The fixtures' named secret clients, and a client-credentials token by raw fetch, for the provider fixtures' `getToken` (tests that exercise the
 * library's own token client use that instead). `basic` says how this provider reads Basic credentials:
 * `form-urlencoded` (RFC 6749 §2.3.1, django-oauth-toolkit) or `raw` (glewlwyd does not decode them).
 */
import { randomBytes } from 'node:crypto';
import type { IdpClient } from './idp.js';

/** A random secret; `reserved` ones end in `+ %2B : space / %`, to catch a missing or double decoding. */
export function clientSecret(reserved = false): string {
  const secret = randomBytes(24).toString('base64url');
  return reserved ? `${secret}+%2B:a b/c%` : secret;
}

/** The secret clients both fixtures register: one per method, plus one per method with a reserved secret. */
export function secretClients() {
  return {
    basic: { clientId: 'svc-basic', clientSecret: clientSecret(), authMethod: 'client_secret_basic' },
    post: { clientId: 'svc-post', clientSecret: clientSecret(), authMethod: 'client_secret_post' },
    reservedBasic: {
      clientId: 'svc-reserved-basic',
      clientSecret: clientSecret(true),
      authMethod: 'client_secret_basic',
    },
    reservedPost: {
      clientId: 'svc-reserved-post',
      clientSecret: clientSecret(true),
      authMethod: 'client_secret_post',
    },
  } satisfies Record<string, IdpClient>;
}

/** `Basic …` for the client, encoded the way this provider reads it. */
export function basicAuthorization(client: IdpClient, style: 'form-urlencoded' | 'raw'): string {
  const encode = (v: string) => (style === 'raw' ? v : encodeURIComponent(v).replaceAll('%20', '+'));
  return `Basic ${Buffer.from(`${encode(client.clientId)}:${encode(client.clientSecret)}`).toString('base64')}`;
}

export async function fetchClientCredentialsToken(options: {
  provider: string;
  tokenEndpoint: string;
  client: IdpClient;
  params: Record<string, string>;
  basic: 'form-urlencoded' | 'raw';
}): Promise<string> {
  const { client } = options;
  const body = new URLSearchParams({ grant_type: 'client_credentials', ...options.params });
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (client.authMethod === 'client_secret_basic') {
    headers.authorization = basicAuthorization(client, options.basic);
  } else if (client.authMethod === 'client_secret_post') {
    body.set('client_id', client.clientId);
    body.set('client_secret', client.clientSecret);
  } else {
    throw new Error('getToken supports the secret-based clients; use the library for the others');
  }
  const res = await fetch(options.tokenEndpoint, { method: 'POST', headers, body });
  const text = await res.text();
  let token: unknown;
  try {
    token = res.ok ? (JSON.parse(text) as { access_token?: unknown }).access_token : undefined;
  } catch {}
  if (typeof token !== 'string' || !token) {
    throw new Error(`${options.provider} token request failed: ${res.status} ${text.slice(0, 200)}`);
  }
  return token;
}
