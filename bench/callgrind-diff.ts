/**
 * `node --import tsx bench/callgrind-diff.ts A.callgrind.1 B.callgrind.1 [requests]`: where two servers' counts
 * differ, function by function (self cost), per request: B − A in estimated cycles and instructions, then A and
 * B. Made for the dumps `BENCH_KEEP_CALLGRIND=1` keeps; with `BENCH_PERF_MAP=1` too, JIT code is named from
 * `/tmp/perf-<pid>.map` (`*` optimized, `^` baseline, `~` interpreted), otherwise it shows as addresses.
 * `TOP=n` rows (default 40).
 */
import { existsSync, readFileSync } from 'node:fs';
import { annotatedFunctions, dumpHeader, estimatedCycles, WINDOW_REQUESTS } from './instructions.js';

interface Cost {
  instructions: number;
  cycles: number;
}

/** JIT code ranges from a perf map, sorted by start address. */
function perfMap(pid: string): [start: number, size: number, name: string][] {
  const file = `/tmp/perf-${pid}.map`;
  if (!existsSync(file)) return [];
  const rows: [number, number, string][] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([0-9a-f]+) ([0-9a-f]+) (.*)$/.exec(line);
    if (m) rows.push([Number.parseInt(m[1]!, 16), Number.parseInt(m[2]!, 16), m[3]!]);
  }
  return rows.sort((a, b) => a[0] - b[0]);
}

/** callgrind names unknown code by the address of its first basic block, which may lie inside a function. */
function jitName(rows: readonly [number, number, string][], address: number): string | undefined {
  let lo = 0;
  let hi = rows.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid]![0] <= address) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  const row = rows[best];
  return row !== undefined && address < row[0] + row[1] ? row[2] : undefined;
}

function costs(file: string): Map<string, Cost> {
  const rows = perfMap(dumpHeader(file).pid);
  const byName = new Map<string, Cost>();
  for (const { name, events } of annotatedFunctions(file)) {
    const address = /0x([0-9a-f]+)/.exec(name);
    const jit = address ? jitName(rows, Number.parseInt(address[1]!, 16)) : undefined;
    const key = jit === undefined ? name : `JIT ${jit}`;
    const cost = byName.get(key) ?? { instructions: 0, cycles: 0 };
    cost.instructions += events.Ir ?? 0;
    cost.cycles += estimatedCycles(events);
    byName.set(key, cost);
  }
  return byName;
}

const [fileA, fileB, requests = String(WINDOW_REQUESTS)] = process.argv.slice(2);
if (fileA === undefined || fileB === undefined) {
  console.error('usage: callgrind-diff.ts A.callgrind.1 B.callgrind.1 [requests in the window]');
  process.exit(2);
}
const perRequest = (n: number) => Math.round(n / Number(requests));
const a = costs(fileA);
const b = costs(fileB);
const none: Cost = { instructions: 0, cycles: 0 };
const total = (m: Map<string, Cost>) =>
  [...m.values()].reduce(
    (s, c) => ({ instructions: s.instructions + c.instructions, cycles: s.cycles + c.cycles }),
    none,
  );
const [ta, tb] = [total(a), total(b)];
console.log(
  `per request: A ${perRequest(ta.instructions)} instructions, ${perRequest(ta.cycles)} est. cycles; ` +
    `B ${perRequest(tb.instructions)}, ${perRequest(tb.cycles)}`,
);
console.log('  Δ cycles     Δ instr     A cycles    B cycles  function');
const rows = [...new Set([...a.keys(), ...b.keys()])].map((name) => {
  const ca = a.get(name) ?? none;
  const cb = b.get(name) ?? none;
  return {
    name,
    dc: cb.cycles - ca.cycles,
    di: cb.instructions - ca.instructions,
    ca: ca.cycles,
    cb: cb.cycles,
  };
});
rows.sort((x, y) => Math.abs(y.dc) - Math.abs(x.dc));
for (const r of rows.slice(0, Number(process.env.TOP ?? 40))) {
  const cells = [r.dc, r.di, r.ca, r.cb].map((n) => String(perRequest(n)).padStart(10));
  console.log(`${cells.join('  ')}  ${r.name.slice(0, 140)}`);
}
