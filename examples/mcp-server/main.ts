// node --import tsx examples/mcp-server/main.ts   (ISSUER, PORT, MCP_RESOURCE; defaults: the dev identity provider)
import { config } from '../config.js';
import { buildMcpServer } from './app.js';

const port = Number(process.env.PORT ?? 3100);
// The URL clients call: they request tokens for it (RFC 8707 `resource`) and tokens must name it in `aud`.
const resource = process.env.MCP_RESOURCE ?? `http://127.0.0.1:${port}/mcp`;
const { app, close } = buildMcpServer({ issuer: config.issuer, resource });
const server = app.listen(port, '127.0.0.1', () => console.log(`MCP server on ${resource}`));
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => server.close(() => void close()));
}
