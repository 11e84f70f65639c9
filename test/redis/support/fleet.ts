/**
 * A fleet of replicas (real child processes, see `replica.ts`) sharing one Redis.
 *
 *   const fleet = await startFleet(8);
 *   await fleet.configureAll((i) => ({ redisUrl, store: { prefix }, manager: { issuer, clientId, clientSecret } }));
 *   const results = await fleet.runAll({ scope: 'read', concurrency: 50 });
 *   fleet.kill(3); await fleet.close();
 *
 * The provider is pluggable: `fleetProviders.glewlwyd(gw)` (or `.oidcProvider(idp)`) gives the manager
 * options that reach it and its count of token requests.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestGlewlwyd } from '../../support/glewlwyd.js';
import type { TestIdp } from '../../support/idp.js';

/** The identity provider a fleet's managers fetch from, and what it counted. */
export interface FleetProvider {
  name: string;
  /** The serialisable manager options that reach it: issuer, client, Basic style, resource. */
  manager: Record<string, unknown>;
  tokenRequests(): number;
  resetCounts(): void;
}

export const fleetProviders = {
  oidcProvider: (idp: TestIdp): FleetProvider => ({
    name: 'oidc-provider',
    manager: {
      issuer: idp.issuer,
      clientId: idp.clients.basic.clientId,
      clientSecret: idp.clients.basic.clientSecret,
    },
    tokenRequests: () => idp.counts.token,
    resetCounts: () => idp.resetCounts(),
  }),
  glewlwyd: (gw: TestGlewlwyd): FleetProvider => ({
    name: 'glewlwyd',
    manager: {
      issuer: gw.issuer,
      clientId: gw.clients.basic.clientId,
      clientSecret: gw.clients.basic.clientSecret,
      // glewlwyd does not form-urldecode Basic credentials; without `resource`, aud is the scope string.
      basicAuthenticationHeaderStyle: 'rfc2617',
      resource: gw.audience,
    },
    tokenRequests: () => gw.counts.token,
    resetCounts: () => gw.resetCounts(),
  }),
};

export type ReplicaRequest =
  | {
      id: number;
      type: 'configure';
      redisUrl: string;
      /** RedisCacheStoreOptions (serialisable part). */
      store: { prefix: string; encryptionKey?: string; commandTimeoutMs?: number };
      /** ClientCredentialsTokenManagerOptions without `scope` and `store`. */
      manager: Record<string, unknown>;
    }
  | { id: number; type: 'run'; scope: string; concurrency: number }
  | {
      id: number;
      type: 'configure-introspection';
      redisUrl: string;
      store: { prefix: string; encryptionKey?: string; commandTimeoutMs?: number };
      /** createIntrospectionValidator options without `introspection.store` (serialisable). */
      validator: Record<string, unknown>;
    }
  /** `concurrency` validations of `token` at once by the introspection validator. */
  | { id: number; type: 'validate'; token: string; concurrency: number }
  | { id: number; type: 'status' };

export interface ReplicaReply {
  id: number;
  ok: boolean;
  tokens?: string[];
  /** `validate`: the JSON of each accepted token's claims. */
  claims?: string[];
  errors?: string[];
  status?: string;
}

type Body<T> = T extends unknown ? Omit<T, 'id'> : never;

export interface Fleet {
  size: number;
  send(index: number, request: Body<ReplicaRequest>): Promise<ReplicaReply>;
  configureAll(
    config: (index: number) => Body<Extract<ReplicaRequest, { type: 'configure' }>>,
  ): Promise<void>;
  runAll(request: { scope: string; concurrency: number }, indexes?: number[]): Promise<ReplicaReply[]>;
  /** Waits until every live replica's Redis client reports `status`. */
  waitForStatus(accept: (status: string) => boolean, timeoutMs?: number): Promise<void>;
  kill(index: number): void;
  isAlive(index: number): boolean;
  close(): Promise<void>;
}

const replicaPath = fileURLToPath(new URL('./replica.ts', import.meta.url));

export async function startFleet(size: number): Promise<Fleet> {
  let nextId = 1;
  const pending = new Map<
    number,
    { index: number; resolve: (r: ReplicaReply) => void; reject: (e: Error) => void }
  >();
  const alive = new Set<number>();
  const children: ChildProcess[] = [];

  const started = Array.from({ length: size }, (_, index) => {
    const child = fork(replicaPath, [], {
      execArgv: ['--conditions=@identity-model/source', '--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
    });
    children.push(child);
    alive.add(index);
    child.on('message', (reply: ReplicaReply) => {
      const waiter = pending.get(reply.id);
      pending.delete(reply.id);
      waiter?.resolve(reply);
    });
    child.on('exit', () => {
      alive.delete(index);
      for (const [id, waiter] of pending) {
        if (waiter.index === index) {
          pending.delete(id);
          waiter.reject(new Error(`replica ${index} exited`));
        }
      }
    });
    return new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`replica ${index} exited with ${code} before starting`)));
    });
  });
  await Promise.all(started);

  const fleet: Fleet = {
    size,
    send(index, request) {
      const id = nextId++;
      return new Promise<ReplicaReply>((resolve, reject) => {
        if (!alive.has(index)) return reject(new Error(`replica ${index} is not running`));
        pending.set(id, { index, resolve, reject });
        children[index]?.send({ ...request, id });
      });
    },
    async configureAll(config) {
      await Promise.all([...alive].map((i) => fleet.send(i, config(i))));
    },
    runAll(request, indexes = [...alive]) {
      return Promise.all(indexes.map((i) => fleet.send(i, { type: 'run', ...request })));
    },
    async waitForStatus(accept, timeoutMs = 8000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const replies = await Promise.all([...alive].map((i) => fleet.send(i, { type: 'status' })));
        if (replies.every((r) => accept(r.status ?? ''))) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('replicas did not reach the expected Redis status in time');
    },
    kill(index) {
      children[index]?.kill('SIGKILL');
    },
    isAlive(index) {
      return alive.has(index);
    },
    async close() {
      await Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              child.once('exit', () => resolve());
              child.disconnect();
              setTimeout(() => child.kill('SIGKILL'), 2000).unref();
            }),
        ),
      );
    },
  };
  return fleet;
}
