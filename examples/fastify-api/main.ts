// node --import tsx examples/fastify-api/main.ts   (ISSUER, AUDIENCE, PORT; defaults: the dev identity provider)
import { config } from '../config.js';
import { buildFastifyApi } from './app.js';

const app = await buildFastifyApi(config);
await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void app.close());
