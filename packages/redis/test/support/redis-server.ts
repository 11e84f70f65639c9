/**
 * Real Redis for tests.
 *
 *   const url = await redisUrl();            // REDIS_URL, else 127.0.0.1:6379 if it answers, else a private
 *                                            // redis-server started for this process (stopped on exit)
 *   const server = await startRedisServer(); // a private redis-server on a free port, to stop and restart
 *   await server.stop(); await server.start(); await server.close();
 *
 * Tests sharing a Redis use a unique key prefix each (`uniquePrefix()`), so they never see each other's keys.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect, createServer } from 'node:net';

export interface RedisServer {
  port: number;
  url: string;
  /** Stops the server (SIGKILL: an outage, not a shutdown). Its data is gone. */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export function uniquePrefix(label = 't'): string {
  return `im-test:${label}:${randomBytes(6).toString('hex')}:`;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** True when something at host:port answers PING with PONG. */
function answersPing(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const exitHook = () => child?.kill('SIGKILL');
  process.on('exit', exitHook);

  async function start(): Promise<void> {
    if (child) return;
    const proc = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--loglevel',
        'warning',
      ],
      { stdio: 'ignore' },
    );
    proc.unref(); // a test process must be able to exit; the exit hook kills the server
    child = proc;
    const spawnError = new Promise<never>((_, reject) => proc.once('error', reject));
    spawnError.catch(() => {});
    for (let i = 0; i < 100; i++) {
      if (await Promise.race([answersPing('127.0.0.1', port), spawnError])) return;
      if (proc.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    proc.kill('SIGKILL');
    child = undefined;
    throw new Error(`redis-server did not start on port ${port}`);
  }

  async function stop(): Promise<void> {
    const proc = child;
    if (!proc) return;
    child = undefined;
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      proc.ref(); // keep the event loop alive until it has exited
      proc.kill('SIGKILL');
      await exited;
    }
  }

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop,
    start,
    async close() {
      await stop();
      process.off('exit', exitHook);
    },
  };
}

let shared: Promise<string> | undefined;

/** A Redis to share across tests in this process. */
export function redisUrl(): Promise<string> {
  shared ??= (async () => {
    if (process.env.REDIS_URL) return process.env.REDIS_URL;
    if (await answersPing('127.0.0.1', 6379)) return 'redis://127.0.0.1:6379';
    const server = await startRedisServer();
    return server.url;
  })();
  return shared;
}
