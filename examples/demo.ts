/**
 * `pnpm demo`: the whole path in a few seconds, everything on 127.0.0.1 with ephemeral ports.
 *   1. a development identity provider (oidc-provider; client `demo-service` may get scope `read` only)
 *   2. a Fastify API: `GET /read` needs scope `read`, `POST /write` needs scope `write`
 *   3. a service that gets a client-credentials token through the token manager and calls both routes
 * Prints each step, checks every answer, stops everything; exits 1 if anything is not as expected.
 */

import { startDevIdp } from './dev-idp/dev-idp.js';
import { buildFastifyApi } from './fastify-api/app.js';
import { createServiceClient } from './service-client/client.js';

const step = (n: number, text: string) => console.log(`\n${n}. ${text}`);
const show = (label: string, value: string) => console.log(`   ${label.padEnd(19)}${value}`);
let failures = 0;

async function expect(label: string, res: Response, status: number): Promise<void> {
  const ok = res.status === status;
  if (!ok) failures++;
  show(label, `${res.status} ${ok ? '✓' : `✗ expected ${status}`}`);
  const challenge = res.headers.get('www-authenticate');
  if (challenge) show('WWW-Authenticate:', challenge);
  show('body:', await res.text());
}

const idp = await startDevIdp();
let api: Awaited<ReturnType<typeof buildFastifyApi>> | undefined;
let client: ReturnType<typeof createServiceClient> | undefined;
try {
  api = await buildFastifyApi({ issuer: idp.issuer, audience: idp.audience, logger: false });
  step(1, 'Identity provider (oidc-provider) started');
  show('issuer:', idp.issuer);
  show('client:', `${idp.clientId}, allowed scope "read" only`);

  const apiUrl = await api.listen({ port: 0, host: '127.0.0.1' });
  step(2, 'Fastify API started, validating access tokens from that issuer');
  show('API:', apiUrl);
  show('routes:', 'GET /read needs scope "read", POST /write needs scope "write"');

  client = createServiceClient({
    issuer: idp.issuer,
    clientId: idp.clientId,
    clientSecret: idp.clientSecret,
    apiUrl,
  });
  const token = await client.manager.getToken();
  step(3, 'Service client got a token through ClientCredentialsTokenManager (discovery → token endpoint)');
  show('scope:', String(token.scope));
  show('expires in:', `${Math.round((token.expiresAt - Date.now()) / 1000)} s`);

  step(4, 'GET /read with the token (scope "read")');
  await expect('status:', await client.apiFetch(`${apiUrl}/read`), 200);

  step(5, 'POST /write with the same token (it lacks scope "write")');
  await expect('status:', await client.apiFetch(`${apiUrl}/write`, { method: 'POST' }), 403);

  step(6, 'GET /read without any token');
  await expect('status:', await fetch(`${apiUrl}/read`), 401);
} finally {
  await client?.close();
  await api?.close();
  await idp.close();
}

console.log(
  failures === 0 ? '\nAll steps answered as expected. Stopped everything.' : `\n${failures} step(s) failed.`,
);
process.exitCode = failures === 0 ? 0 : 1;
