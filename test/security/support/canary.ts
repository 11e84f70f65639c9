/**
 * The canary: a local server that hands out the attacker's key set and certificate on every path. A
 * validator that follows `jku`, `x5u` or a token's own `iss` shows up in `canary.requests`.
 */
import type { AttackerKeys } from './keys.js';
import { json, type LocalServer, startLocalServer } from './local-server.js';

export async function startCanary(keys: AttackerKeys): Promise<LocalServer> {
  return startLocalServer((req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (path.endsWith('.pem') || path.includes('x5u')) {
      res.writeHead(200, { 'content-type': 'application/pem-certificate-chain' });
      res.end(keys.certificatePem);
      return;
    }
    if (path.startsWith('/.well-known/')) {
      const origin = `http://${req.headers.host}`;
      json(res, 200, { issuer: origin, jwks_uri: `${origin}/jwks`, token_endpoint: `${origin}/token` });
      return;
    }
    json(res, 200, {
      keys: [keys.rsa.publicJwk, keys.ec.publicJwk, keys.ed.publicJwk, keys.weakRsa.publicJwk],
    });
  });
}
