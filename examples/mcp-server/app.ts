import { requireScopes, requireToken } from '@identity-model/express';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';

export interface McpServerOptions {
  /** The authorization server whose tokens are accepted. */
  issuer: string;
  /** This server's URL as clients call it, e.g. `https://mcp.example.com/mcp`: the audience tokens must name. */
  resource: string;
}

interface JsonRpcRequest {
  jsonrpc?: unknown;
  id?: unknown;
  method?: unknown;
  params?: unknown;
}

const TOOLS = [
  {
    name: 'echo',
    description: 'Returns its text',
    inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
  },
];

// Calling a tool needs `write`; everything else at /mcp needs `read`.
const mayCall = requireScopes('write');

function reply(res: Response, id: unknown, result: unknown): void {
  res.json({ jsonrpc: '2.0', id, result });
}

function rpcError(res: Response, status: number, id: unknown, code: number, message: string): void {
  res.status(status).json({ jsonrpc: '2.0', id: id ?? null, error: { code, message } });
}

function handle(req: Request, res: Response, next: NextFunction) {
  const message = (req.body ?? {}) as JsonRpcRequest;
  if (message.jsonrpc !== '2.0' || typeof message.method !== 'string') {
    return rpcError(res, 400, message.id, -32600, 'Invalid Request');
  }
  // A notification (no id) gets no answer: 202 Accepted (MCP Streamable HTTP).
  if (message.id === undefined) {
    res.status(202).end();
    return;
  }
  const { id } = message;
  switch (message.method) {
    case 'initialize':
      return reply(res, id, {
        protocolVersion: '2025-06-18',
        capabilities: { tools: {} },
        serverInfo: { name: 'identity-model-mcp-example', version: '1.0.0' },
      });
    case 'tools/list':
      return reply(res, id, { tools: TOOLS });
    case 'tools/call':
      return mayCall(req, res, (error?: unknown) => {
        if (error) return next(error);
        const params = (message.params ?? {}) as { name?: unknown; arguments?: { text?: unknown } };
        if (params.name !== 'echo' || typeof params.arguments?.text !== 'string') {
          return rpcError(res, 200, id, -32602, 'Invalid params');
        }
        reply(res, id, { content: [{ type: 'text', text: params.arguments.text }] });
      });
    default:
      return rpcError(res, 200, id, -32601, 'Method not found');
  }
}

/**
 * A small MCP server (Streamable-HTTP-style JSON-RPC at `POST /mcp`) behind `requireToken`: it publishes its
 * RFC 9728 metadata at `/.well-known/oauth-protected-resource/mcp`, every 401 points clients there, and only
 * tokens issued for `resource` (RFC 8707) are accepted.
 */
export function buildMcpServer({ issuer, resource }: McpServerOptions): {
  app: Express;
  close(): Promise<void>;
} {
  const app = express();
  const auth = requireToken({
    issuer,
    resourceMetadata: {
      resource,
      scopesSupported: ['read', 'write'],
      resourceName: 'identity-model MCP example',
    },
  });
  app.use(auth);
  app.post('/mcp', requireScopes('read'), express.json({ limit: '64kb' }), handle);
  // This server streams nothing: no SSE stream to open (MCP Streamable HTTP allows 405 here).
  app.get('/mcp', (_req, res) => {
    res.status(405).set('allow', 'POST').end();
  });
  return { app, close: () => auth.close() };
}
