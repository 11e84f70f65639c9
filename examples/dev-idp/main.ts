// Runs the development identity provider on http://127.0.0.1:4000 (PORT to change it) until Ctrl-C.
//   node --import tsx examples/dev-idp/main.ts
import { DEV_PORT, startDevIdp } from './dev-idp.js';

const idp = await startDevIdp({ port: Number(process.env.PORT ?? DEV_PORT) });
console.log(`dev identity provider: ${idp.issuer}`);
console.log(`  discovery: ${idp.issuer}/.well-known/openid-configuration`);
console.log(`  audience:  ${idp.audience}`);
console.log(`  client:    ${idp.clientId} (scope read only; secret in examples/dev-idp/dev-idp.ts)`);
process.once('SIGINT', () => void idp.close().then(() => process.exit(0)));
process.once('SIGTERM', () => void idp.close().then(() => process.exit(0)));
