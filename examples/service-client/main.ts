// node --import tsx examples/service-client/main.ts
// (ISSUER, CLIENT_ID, CLIENT_SECRET, API_URL; defaults: the dev identity provider and an API on port 3000)
import { config } from '../config.js';
import { createServiceClient } from './client.js';

const apiUrl = process.env.API_URL ?? 'http://127.0.0.1:3000';
const client = createServiceClient({ ...config, apiUrl });
try {
  const token = await client.manager.getToken();
  console.log(`token for scope "${token.scope}", valid until ${new Date(token.expiresAt).toISOString()}`);
  for (const [method, path] of [
    ['GET', '/read'],
    ['POST', '/write'],
  ] as const) {
    const res = await client.apiFetch(`${apiUrl}${path}`, { method });
    console.log(
      `${method} ${path} → ${res.status}`,
      res.headers.get('www-authenticate') ?? '',
      await res.text(),
    );
  }
} finally {
  await client.close();
}
