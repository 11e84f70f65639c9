// node --import ./your-otel-sdk-setup.js --import tsx examples/opentelemetry/main.ts
// (ISSUER, AUDIENCE, CLIENT_ID, CLIENT_SECRET; defaults: the dev identity provider, examples/dev-idp)
// Register your OpenTelemetry SDK (metrics and traces) first: without one the API records nothing.
import { ClientCredentialsTokenManager, createTokenValidator } from '@identity-model/core';
import { config } from '../config.js';
import { instrumentIdentityModel } from './subscriber.js';

const stop = instrumentIdentityModel();
const manager = new ClientCredentialsTokenManager({ ...config, scope: 'read' });
const validator = createTokenValidator({ issuer: config.issuer, audience: config.audience });
try {
  // One token request, then cache hits; one discovery and one key set fetch, then validations from memory.
  for (let i = 0; i < 3; i++) {
    const { accessToken } = await manager.getToken();
    const { claims } = await validator.validate(accessToken);
    console.log(`validated a token of ${claims.client_id ?? claims.sub} from ${claims.iss}`);
  }
} finally {
  await Promise.all([manager.close(), validator.close()]);
  stop();
}
