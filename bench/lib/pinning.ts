/**
 * Pinning the HTTP bench to cores with `taskset`: the load generator on one core, the server under test on
 * another, so neither steals the other's core and the scheduler does not migrate them mid-run. Without
 * `taskset` or with a single core nothing is pinned (and the report says so).
 */
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';

export interface Pinning {
  /** The core of the load generator (this process). */
  loadCore: number;
  /** The core of every server under test. */
  serverCore: number;
}

/** Pins this process (every thread) to one core and returns the plan, or undefined when it cannot. */
export function pinLoadGenerator(): Pinning | undefined {
  if (process.platform !== 'linux' || cpus().length < 2 || process.env.BENCH_NO_PIN) return undefined;
  try {
    // The last two cores: core 0 takes most interrupts.
    const serverCore = cpus().length - 1;
    const loadCore = cpus().length - 2;
    execFileSync('taskset', ['-a', '-cp', String(loadCore), String(process.pid)], { stdio: 'ignore' });
    return { loadCore, serverCore };
  } catch {
    return undefined;
  }
}

/** `fork` options that start a Node process pinned to `core` (taskset execs node: same pid, same IPC). */
export function pinnedFork(core: number | undefined, nodeFlags: readonly string[]) {
  return core === undefined
    ? { execArgv: [...nodeFlags] }
    : { execPath: 'taskset', execArgv: ['-c', String(core), process.execPath, ...nodeFlags] };
}
