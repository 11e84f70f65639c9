import { createHttpClient } from '../../src/http/index.js';
import type { HttpClient } from '../../src/http/types.js';
import { ClientCredentialsTokenManager } from '../../src/token-management/client-credentials-token-manager.js';
import { json, type LocalServer, startServer } from '../token/local-server.js';

/** A real token endpoint on 127.0.0.1 issuing `svc-token-N`, and a manager that gets its tokens there. */
export interface ServiceTokenFixture {
  idp: LocalServer;
  http: HttpClient;
  manager: ClientCredentialsTokenManager;
  /** The token most recently issued. */
  latest(): string;
  close(): Promise<void>;
}

export async function startServiceTokenFixture(clientSecret: string): Promise<ServiceTokenFixture> {
  let issued = 0;
  const idp = await startServer((_req, res) =>
    json(res, 200, { access_token: `svc-token-${++issued}`, token_type: 'Bearer', expires_in: 300 }),
  );
  const http = createHttpClient({ retryCount: 0 });
  const manager = new ClientCredentialsTokenManager({
    tokenEndpoint: idp.url,
    clientId: 'svc',
    clientSecret,
    httpClient: http,
  });
  return {
    idp,
    http,
    manager,
    latest: () => `svc-token-${issued}`,
    close: async () => {
      await manager.close();
      await Promise.all([idp.close(), http.close()]);
    },
  };
}
