/** Running bench parts as child processes (TypeScript through tsx, our packages from source). */
import { fork } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const NODE_FLAGS: readonly string[] = ['--conditions=@identity-model/source', '--import', 'tsx'];

/** Whether this module is the process entry point. */
export function isMain(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === moduleUrl;
}

/** Sends a part's result to the parent when run through `runPart`; false when run by hand. */
export function reply(value: unknown): boolean {
  if (!process.send) return false;
  process.send(value);
  process.disconnect();
  return true;
}

/**
 * Runs `bench/<file>` in its own process and resolves with the one message it sends back, once the process has
 * exited (so its CPU time, and its children's, is counted in this process's children's time). Its stderr
 * (progress) passes through; extra node flags (e.g. `--expose-gc`) go first.
 */
export function runPart<T>(
  file: string,
  args: readonly string[],
  nodeFlags: readonly string[] = [],
): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(new URL(`../${file}`, import.meta.url)), [...args], {
      cwd: ROOT,
      execArgv: [...nodeFlags, ...NODE_FLAGS],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let report: { value: T } | undefined;
    let timer: NodeJS.Timeout | undefined;
    child.once('message', (value) => {
      report = { value: value as T };
      // A part that leaves a handle open must not hold the run up once it has reported.
      timer = setTimeout(() => child.kill(), 5000);
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (report) resolve(report.value);
      else reject(new Error(`bench/${file} exited with ${signal ?? code} before reporting`));
    });
  });
}
