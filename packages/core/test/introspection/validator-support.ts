/** Shared set-up for the introspection validator tests: a real local authorization server and its answers. */
import type { ServerResponse } from 'node:http';
import { after, before, beforeEach } from 'node:test';
import { createIntrospectionValidator } from '../../src/introspection/index.js';
import type { IntrospectionValidatorOptions } from '../../src/introspection/introspection-options.js';
import type { SeenRequest } from '../token/local-server.js';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  type FakeAuthorizationServer,
  startFakeAuthorizationServer,
} from './fake-authorization-server.js';

export const AUDIENCE = 'https://api.example';

/** The fake server answers `body` (JSON) to every introspection, after `delayMs`; counts in-flight requests. */
export function answerWith(
  as: FakeAuthorizationServer,
  body: (req: SeenRequest) => Record<string, unknown>,
  options: { status?: number; delayMs?: number; headers?: Record<string, string> } = {},
): { maxInFlight: () => number } {
  let inFlight = 0;
  let max = 0;
  as.answer = (req, res: ServerResponse) => {
    inFlight++;
    max = Math.max(max, inFlight);
    const reply = () => {
      inFlight--;
      res.writeHead(options.status ?? 200, { 'content-type': 'application/json', ...options.headers });
      res.end(JSON.stringify(body(req)));
    };
    if (options.delayMs) setTimeout(reply, options.delayMs);
    else reply();
  };
  return { maxInFlight: () => max };
}

export function active(claims: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    active: true,
    sub: 'user-1',
    scope: 'read write',
    client_id: 'app',
    exp: Math.floor(Date.now() / 1000) + 3600,
    ...claims,
  };
}

export function validatorFor(
  as: FakeAuthorizationServer,
  options: Partial<IntrospectionValidatorOptions> = {},
) {
  return createIntrospectionValidator({
    issuer: as.issuer,
    audience: AUDIENCE,
    address: as.introspectionEndpoint,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    httpClient: as.http,
    ...options,
  });
}

/** Starts the fake server for this file, handed to `ready` (requests forgotten before each test). */
export function useFakeAuthorizationServer(ready: (server: FakeAuthorizationServer) => void): {
  introspections: () => number;
} {
  let as: FakeAuthorizationServer;
  before(async () => {
    as = await startFakeAuthorizationServer();
    ready(as);
  });
  after(() => as.close());
  beforeEach(() => {
    as.server.requests.length = 0;
  });
  return { introspections: () => as.hits('/introspect').length };
}
