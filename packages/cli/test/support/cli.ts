import assert from 'node:assert/strict';
/**
 * Runs the BUILT `identity-model` binary (packages/cli/dist/cli.js) as a user would: a child process
 * without the source condition, so `@identity-model/core` resolves to its dist. The CLI is built first
 * (and core) when dist is missing or older than a source file (`pnpm test` builds both; `pnpm test:only`
 * may not have).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const REPO_ROOT = join(CLI_ROOT, '..', '..');
export const CLI_BIN = join(CLI_ROOT, 'dist', 'cli.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    const stat = statSync(full);
    newest = Math.max(newest, stat.isDirectory() ? newestMtime(full) : stat.mtimeMs);
  }
  return newest;
}

/**
 * Rebuilds a package's JavaScript in place, run in the package's directory (so tsup keeps its dependencies
 * external, as the real build does) and without its config: no `clean` and no declarations, so a build
 * racing another test file, or failing on another helper's half-written source, never leaves a package
 * without its dist or its .d.ts. `pnpm build` remains the real build: `pnpm test` runs it first.
 */
function buildJs(packageDir: string, entry: string, format: string): void {
  const tsup = join(REPO_ROOT, 'node_modules', 'tsup', 'dist', 'cli-default.js');
  const args = [tsup, `src/${entry}`, '--no-config', '--format', format, '--target', 'node20', '--silent'];
  execFileSync(process.execPath, args, {
    cwd: packageDir,
    stdio: 'ignore',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
}

/** Whether `packageDir`'s build output is missing or older than its sources. */
function isStale(packageDir: string, output: string): boolean {
  if (!existsSync(output)) return true;
  const sources = Math.max(
    newestMtime(join(packageDir, 'src')),
    statSync(join(packageDir, 'package.json')).mtimeMs,
  );
  return statSync(output).mtimeMs < sources;
}

let built = false;

/** Builds core (JavaScript) and the CLI when their dist is missing or older than their sources. */
export function ensureBuilt(): void {
  if (built) return;
  const core = join(REPO_ROOT, 'packages', 'core');
  if (isStale(core, join(core, 'dist', 'index.js'))) buildJs(core, 'index.ts', 'esm,cjs');
  if (isStale(CLI_ROOT, CLI_BIN)) buildJs(CLI_ROOT, 'cli.ts', 'esm');
  built = true;
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Extra environment; the child gets only PATH and HOME besides, so the shell's variables never leak in. */
  env?: Record<string, string>;
  /** Written to the child's standard input (closed either way). */
  stdin?: string;
  /** Run `command` instead of `node dist/cli.js` (for npx from a scratch project). */
  command?: { file: string; args: string[]; cwd: string };
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  const file = options.command?.file ?? process.execPath;
  const argv = options.command ? [...options.command.args, ...args] : [CLI_BIN, ...args];
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    ...options.env,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { env, cwd: options.command?.cwd ?? CLI_ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

/** `--json` output, parsed; fails the test with the output when it is not one JSON document. */
export function parseJson(run: CliRun): Record<string, unknown> {
  try {
    return JSON.parse(run.stdout) as Record<string, unknown>;
  } catch {
    throw new Error(`not one JSON document on stdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
}

/** A token the provider really signed whose `exp` passed about two hours ago (`extra` adds claims). */
export function expiredToken(
  idp: { signToken(claims: Record<string, unknown>): Promise<string> },
  extra: Record<string, unknown> = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return idp.signToken({
    sub: 'svc',
    client_id: 'svc-basic',
    scope: 'read',
    iat: now - 7500,
    exp: now - 7300,
    ...extra,
  });
}

/**
 * The minutes to expiry the CLI may print for `token` while `run` runs: they are floored, so a token with
 * 300 s left reads 5 min within its first second and 4 min after.
 */
export async function minutesLeftAround<T>(token: string, run: () => Promise<T>): Promise<[T, Set<number>]> {
  const { exp } = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as {
    exp: number;
  };
  const minutesLeft = () => Math.floor(Math.round(exp - Date.now() / 1000) / 60);
  const before = minutesLeft();
  const result = await run();
  return [result, new Set([before, minutesLeft()])];
}

/** Asserts the `expires in N min` of `stdout` is one of `minutes` (from `minutesLeftAround`). */
export function assertExpiresIn(stdout: string, minutes: Set<number>): void {
  const shown = /expires in (\d+) min/.exec(stdout);
  assert.ok(shown && minutes.has(Number(shown[1])), `expected expires in ${[...minutes].join(' or ')} min`);
}
