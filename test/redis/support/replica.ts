/**
 * One replica of a service, as a child process: a `ClientCredentialsTokenManager` per scope sharing a
 * `RedisCacheStore`, or (`configure-introspection`) an introspection validator over one. Driven over IPC by
 * `fleet.ts`; never run directly.
 */
import { appendFileSync } from 'node:fs';
import {
  ClientCredentialsTokenManager,
  type ClientCredentialsTokenManagerOptions,
  createIntrospectionValidator,
  type IntrospectionValidatorOptions,
  type TokenValidator,
} from '@identity-model/core';
import { RedisCacheStore, type RedisCacheStoreOptions } from '@identity-model/redis';
import { Redis } from 'ioredis';
import type { ReplicaReply, ReplicaRequest } from './fleet.js';

// REPLICA_LOG=<file> appends what the managers and stores log, to debug a failing fleet test.
const print =
  (level: string) =>
  (obj: object, msg?: string): void => {
    appendFileSync(
      process.env.REPLICA_LOG as string,
      `[replica ${process.pid}] ${level} ${msg ?? ''} ${JSON.stringify(obj)}\n`,
    );
  };
const logger = process.env.REPLICA_LOG
  ? { debug: print('debug'), info: print('info'), warn: print('warn'), error: print('error') }
  : undefined;

let client: Redis | undefined;
let store: RedisCacheStore | undefined;
let base: ClientCredentialsTokenManagerOptions | undefined;
const managers = new Map<string, ClientCredentialsTokenManager>();
let validator: TokenValidator | undefined;

async function reset(): Promise<void> {
  await Promise.all([...managers.values()].map((m) => m.close()));
  managers.clear();
  await validator?.close();
  validator = undefined;
  client?.disconnect();
  client = undefined;
}

function managerFor(scope: string): ClientCredentialsTokenManager {
  let manager = managers.get(scope);
  if (!manager) {
    manager = new ClientCredentialsTokenManager({
      ...(base as ClientCredentialsTokenManagerOptions),
      scope,
      store,
      logger,
    });
    managers.set(scope, manager);
  }
  return manager;
}

async function handle(msg: ReplicaRequest): Promise<Omit<ReplicaReply, 'id'>> {
  switch (msg.type) {
    case 'configure': {
      await reset();
      client = new Redis(msg.redisUrl, { retryStrategy: () => 50 });
      client.on('error', () => {}); // outages are part of the tests
      store = new RedisCacheStore(client, { ...(msg.store as RedisCacheStoreOptions), logger });
      base = msg.manager as unknown as ClientCredentialsTokenManagerOptions;
      return { ok: true };
    }
    case 'run': {
      const manager = managerFor(msg.scope);
      const results = await Promise.allSettled(
        Array.from({ length: msg.concurrency }, () => manager.getToken()),
      );
      return {
        ok: true,
        tokens: results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.accessToken] : [])),
        errors: results.flatMap((r) =>
          r.status === 'rejected' ? [`${(r.reason as Error).name}: ${(r.reason as Error).message}`] : [],
        ),
      };
    }
    case 'configure-introspection': {
      await reset();
      client = new Redis(msg.redisUrl, { retryStrategy: () => 50 });
      client.on('error', () => {}); // outages are part of the tests
      store = new RedisCacheStore(client, { ...(msg.store as RedisCacheStoreOptions), logger });
      validator = createIntrospectionValidator({
        ...(msg.validator as unknown as IntrospectionValidatorOptions),
        store,
        logger,
      });
      return { ok: true };
    }
    case 'validate': {
      const v = validator as TokenValidator;
      const results = await Promise.allSettled(
        Array.from({ length: msg.concurrency }, () => v.validate(msg.token)),
      );
      return {
        ok: true,
        claims: results.flatMap((r) => (r.status === 'fulfilled' ? [JSON.stringify(r.value.claims)] : [])),
        errors: results.flatMap((r) =>
          r.status === 'rejected' ? [`${(r.reason as Error).name}: ${(r.reason as Error).message}`] : [],
        ),
      };
    }
    case 'status':
      return { ok: true, status: client?.status ?? 'none' };
  }
}

process.on('message', (msg: ReplicaRequest) => {
  handle(msg).then(
    (reply) => process.send?.({ ...reply, id: msg.id }),
    (err: unknown) => process.send?.({ id: msg.id, ok: false, errors: [String(err)] }),
  );
});
process.on('disconnect', () => {
  reset().finally(() => process.exit(0));
});
process.send?.({ id: 0, ok: true, status: 'started' });
