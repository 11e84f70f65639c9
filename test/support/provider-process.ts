/**
 * Runs an identity provider as a child process behind a counting proxy, for the glewlwyd and
 * django-oauth-toolkit fixtures: a temp dir per start (removed on close), each start bounded in time and
 * failing with why (missing binary and its apt package, port, the provider's last output), stop/restart on
 * the proxy's port. Children are killed and temp dirs removed when the test process exits, even on a crash.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CountingProxy, ProviderCounts } from './counting-proxy.js';
import {
  APT_PACKAGES,
  missingProviderMessage,
  type ProviderName,
  providerProblem,
} from './providers-available.js';

const TAIL_CHARS = 4000;
const children = new Set<ChildProcess>();
const dirs = new Set<string>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A port that was free on 127.0.0.1 a moment ago (for a provider that must be told its port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** A fresh directory under the OS temp dir, removed by `removeTempDir` or at process exit. */
export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  dirs.delete(dir);
}

/** Raised when a provider fixture cannot start; the message says why. */
export class ProviderStartError extends Error {
  override name = 'ProviderStartError';
}

/** Throws the "install it with …" error when the provider's binaries are not on this machine. */
export function assertProviderInstalled(name: ProviderName): void {
  const problem = providerProblem(name);
  if (problem) throw new ProviderStartError(missingProviderMessage(name, problem));
}

function tailOf(text: string): string {
  return text.length > TAIL_CHARS ? `…${text.slice(-TAIL_CHARS)}` : text;
}

interface Spawned {
  child: ChildProcess;
  output: () => string;
  exited: Promise<string>;
}

function spawnCaptured(provider: ProviderName, command: string, args: string[], cwd: string): Spawned {
  let output = '';
  const child = spawn(command, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env } });
  children.add(child);
  const collect = (chunk: Buffer) => {
    output = tailOf(output + chunk.toString('utf8'));
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<string>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      children.delete(child);
      resolve(
        error.code === 'ENOENT'
          ? `${command} not found; install it with \`apt-get install -y ${APT_PACKAGES[provider]}\``
          : `${command} could not be run: ${error.message}`,
      );
    });
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve(`${command} exited (${signal ?? `code ${code}`})`);
    });
  });
  return { child, output: () => output, exited };
}

function deadlineError(
  provider: ProviderName,
  step: string,
  timeoutMs: number,
  reason: string,
  output: string,
) {
  const tail = output.trim() ? `\n--- ${provider} output (last lines) ---\n${output.trim()}` : '';
  return new ProviderStartError(`${provider} ${step} failed within ${timeoutMs} ms: ${reason}${tail}`);
}

/** Runs a setup command to completion (sqlite3, manage.py …) within `timeoutMs`; resolves its output. */
export async function runSetupCommand(options: {
  provider: ProviderName;
  step: string;
  command: string;
  args: string[];
  cwd: string;
  input?: string;
  timeoutMs: number;
}): Promise<string> {
  const { provider, step, timeoutMs } = options;
  const run = spawnCaptured(provider, options.command, options.args, options.cwd);
  run.child.stdin?.on('error', () => {});
  run.child.stdin?.end(options.input ?? '');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve('timed out'), timeoutMs);
  });
  const outcome = await Promise.race([run.exited, timeout]);
  clearTimeout(timer);
  if (outcome === 'timed out') run.child.kill('SIGKILL');
  if (run.child.exitCode !== 0) throw deadlineError(provider, step, timeoutMs, outcome, run.output());
  return run.output();
}

async function probe(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/** A running provider process; `stop()` ends it (SIGTERM, then SIGKILL after 3 s). */
export interface ProviderChild {
  readonly pid: number | undefined;
  output(): string;
  stop(): Promise<void>;
}

/** Spawns the server and waits until `readyUrl` answers 2xx, at most `timeoutMs`; else kills it and throws. */
export async function launchServer(options: {
  provider: ProviderName;
  command: string;
  args: string[];
  cwd: string;
  readyUrl: string;
  timeoutMs: number;
}): Promise<ProviderChild> {
  const { provider, timeoutMs } = options;
  const run = spawnCaptured(provider, options.command, options.args, options.cwd);
  run.child.stdin?.end();
  let ended: string | undefined;
  void run.exited.then((reason) => {
    ended = reason;
  });
  const stop = async () => {
    if (run.child.exitCode !== null || run.child.signalCode !== null || ended) return;
    const kill = setTimeout(() => run.child.kill('SIGKILL'), 3000);
    run.child.kill('SIGTERM');
    await run.exited;
    clearTimeout(kill);
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (ended) throw deadlineError(provider, 'start', timeoutMs, ended, run.output());
    if (await probe(options.readyUrl)) break;
    if (Date.now() > deadline) {
      await stop();
      const reason = `${options.readyUrl} did not answer (port taken, or the provider is stuck?)`;
      throw deadlineError(provider, 'start', timeoutMs, reason, run.output());
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { pid: run.child.pid, output: run.output, stop };
}

/** Lifecycle shared by the fixtures: the proxy's port stays, the provider behind it is a fresh process. */
export interface ProviderLifecycle {
  /** Milliseconds: one-time setup (temp files, database); the last spawn to the first good answer. */
  readonly timings: { readonly setupMs: number; readonly launchMs: number };
  /** The provider's recent output (for assertion messages; holds no secrets the tests set). */
  output(): string;
  stop(): Promise<void>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface LifecycleOptions {
  proxy: CountingProxy;
  dir: string;
  /** Bound on setup plus the first launch, and on each restart (ms). */
  timeoutMs: number;
  /** Runs once, before the first launch, with the time left. */
  setup: (timeoutMs: number) => Promise<void>;
  /** Starts one provider process listening on `port` (behind the proxy), within `timeoutMs`. */
  launch: (port: number, timeoutMs: number) => Promise<ProviderChild>;
}

/** Runs setup and the first launch; on any failure closes the proxy and removes the temp dir, then throws. */
export async function startLifecycle(options: LifecycleOptions): Promise<ProviderLifecycle> {
  const { proxy, dir, timeoutMs } = options;
  let child: ProviderChild | undefined;
  const timings = { setupMs: 0, launchMs: 0 };
  const up = async (budgetMs: number) => {
    const port = await freePort();
    const started = performance.now();
    child = await options.launch(port, Math.max(1000, budgetMs));
    timings.launchMs = performance.now() - started;
    proxy.upstreamPort = port;
    await proxy.listen();
  };
  const down = async () => {
    await proxy.close();
    await child?.stop();
    child = undefined;
  };
  try {
    const started = performance.now();
    await options.setup(timeoutMs);
    timings.setupMs = performance.now() - started;
    await up(timeoutMs - timings.setupMs);
  } catch (error) {
    await down();
    removeTempDir(dir);
    throw error;
  }
  return {
    timings,
    output: () => child?.output() ?? '',
    stop: down,
    async restart() {
      if (!child) await up(timeoutMs);
    },
    async close() {
      await down();
      removeTempDir(dir);
    },
  };
}

/** What every provider fixture exposes from its proxy and lifecycle (the issuer and clients are its own). */
export interface ProviderFixtureBase {
  /** The proxy's port: the one the provider advertises, kept across stop/restart. */
  port: number;
  counts: ProviderCounts;
  resetCounts(): void;
  timings: ProviderLifecycle['timings'];
  /** The temp dir holding the database and config (removed by `close()`). */
  dataDir: string;
  /** The provider's recent output. */
  output(): string;
  /** Outage: the proxy stops listening (connection refused) and the provider process ends. */
  stop(): Promise<void>;
  /** A new provider process on the same database, behind the same port. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export function fixtureBase(
  proxy: CountingProxy,
  lifecycle: ProviderLifecycle,
  dir: string,
): ProviderFixtureBase {
  return {
    port: proxy.port,
    counts: proxy.counts,
    resetCounts: () => proxy.resetCounts(),
    timings: lifecycle.timings,
    dataDir: dir,
    output: () => lifecycle.output(),
    stop: () => lifecycle.stop(),
    restart: () => lifecycle.restart(),
    close: () => lifecycle.close(),
  };
}
