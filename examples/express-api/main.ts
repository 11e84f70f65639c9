// node --import tsx examples/express-api/main.ts   (ISSUER, AUDIENCE, PORT; defaults: the dev identity provider)
import { config } from '../config.js';
import { buildExpressApi } from './app.js';

const { app, close } = buildExpressApi(config);
const port = Number(process.env.PORT ?? 3000);
const server = app.listen(port, '127.0.0.1', () => console.log(`express API on http://127.0.0.1:${port}`));
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => server.close(() => void close()));
}
