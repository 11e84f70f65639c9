/**
 * The machine's load around a benchmark: the load average, and from /proc/stat the CPU time every process
 * used, minus what the bench's own processes used (from /proc/<pid>/stat), so a figure taken while others
 * were busy says so. On a system without /proc only the load average is known.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fixed } from './format.js';

export interface LoadSample {
  /** performance.now() when taken. */
  atMs: number;
  loadavg: number[];
  /** Busy CPU ticks of the whole machine (every core), undefined without /proc. */
  busyTicks: number | undefined;
  /** CPU ticks used by the bench's own processes. */
  ownTicks: number | undefined;
}

export interface LoadReport {
  loadBefore: number[];
  loadAfter: number[];
  seconds: number;
  /** Average number of cores kept busy by other processes over the interval. */
  othersCores: number | undefined;
  /** Average number of cores kept busy by the bench itself. */
  ownCores: number | undefined;
}

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

function machineBusyTicks(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    // cpu user nice system idle iowait irq softirq steal guest guest_nice (guest time is already in user).
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    return user! + nice! + system! + irq! + softirq! + (steal ?? 0);
  } catch {
    return undefined;
  }
}

/**
 * CPU ticks of one process (every thread); with `children`, also those of its children it has waited for.
 * Undefined when the process is gone or there is no /proc.
 */
export function processTicks(pid: number | 'self', children = false): number | undefined {
  try {
    const fields = statFields(`/proc/${pid}/stat`);
    const [utime, stime, cutime, cstime] = [fields[11]!, fields[12]!, fields[13]!, fields[14]!];
    return utime + stime + (children ? cutime + cstime : 0);
  } catch {
    return undefined;
  }
}

/**
 * The fields of a /proc `stat` file (a process's or one thread's) after the command name, which may hold
 * spaces: index 0 is field 3 (state), 7 minflt, 11 utime, 12 stime (in clock ticks). Throws without it.
 */
export function statFields(path: string): number[] {
  const stat = readFileSync(path, 'utf8');
  return stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
}

/** A sample of the machine; `own` returns the CPU ticks of the bench's processes (undefined: unknown). */
export function sampleLoad(own: () => number | undefined): LoadSample {
  return { atMs: performance.now(), loadavg: loadavg(), busyTicks: machineBusyTicks(), ownTicks: own() };
}

export function loadBetween(before: LoadSample, after: LoadSample): LoadReport {
  const seconds = (after.atMs - before.atMs) / 1000;
  const perSecond = ticksPerSecond();
  const busy =
    before.busyTicks === undefined || after.busyTicks === undefined
      ? undefined
      : (after.busyTicks - before.busyTicks) / perSecond;
  const own =
    before.ownTicks === undefined || after.ownTicks === undefined
      ? undefined
      : (after.ownTicks - before.ownTicks) / perSecond;
  return {
    loadBefore: before.loadavg,
    loadAfter: after.loadavg,
    seconds,
    othersCores:
      busy === undefined || own === undefined || seconds <= 0 ? undefined : Math.max(0, busy - own) / seconds,
    ownCores: own === undefined || seconds <= 0 ? undefined : own / seconds,
  };
}

/** "0.52 → 1.80; others 0.31 cores, bench 1.62 cores (of 2)". */
export function describeLoad(report: LoadReport): string {
  const cores = cpus().length;
  const cpu =
    report.othersCores === undefined
      ? 'CPU of other processes unknown (no /proc)'
      : `other processes used ${fixed(report.othersCores, 2)} cores on average, the bench ${fixed(report.ownCores!, 2)} (of ${cores})`;
  return `1-min load average ${report.loadBefore[0]!.toFixed(2)} → ${report.loadAfter[0]!.toFixed(2)}; ${cpu}`;
}

/** Other processes kept more than a quarter of a core busy: the figures were taken under load. */
export function underLoad(report: LoadReport): boolean {
  return report.othersCores === undefined ? report.loadBefore[0]! > 0.5 : report.othersCores > 0.25;
}

/**
 * CPU time (ns) one process has run, every thread summed, from /proc/<pid>/task/<tid>/schedstat (nanosecond
 * resolution, unlike the 10 ms ticks of /proc/<pid>/stat). Undefined without /proc.
 */
export function processCpuNs(pid: number): number | undefined {
  try {
    let total = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        total += threadCpuNs(pid, Number(tid));
      } catch {
        // A thread that ended meanwhile.
      }
    }
    return total;
  } catch {
    return undefined;
  }
}

/** CPU time (ns) one thread of a process has run, from its schedstat. Throws when the thread is gone. */
export function threadCpuNs(pid: number, tid: number): number {
  return Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ', 1)[0]);
}
