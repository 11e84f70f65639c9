import { oidcAuth } from '@identity-model/fastify';
import Fastify from 'fastify';
import { environmentScenarios } from '../../../test/adapters/environment-scenarios.js';

environmentScenarios('fastify app.register(oidcAuth)', async (options) => {
  const app = Fastify();
  // The form users write: `app.register(oidcAuth)`, with no options at all.
  if (options === undefined) app.register(oidcAuth);
  else app.register(oidcAuth, options);
  app.get('/me', async (request) => ({ sub: request.auth?.claims.sub }));
  try {
    // The plugin (and so the environment read) runs while the app boots.
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    return { url, close: () => app.close() };
  } catch (error) {
    await app.close();
    throw error;
  }
});
