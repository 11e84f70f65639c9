/**
 * Instructions per request inside a real server, counted by valgrind's callgrind: for the same binary and
 * inputs the count does not depend on what else the machine runs, so these ratios reproduce where req/s on a
 * shared 2-core machine wanders by ±20 %. `instructions.ts [--quick] [--only=express,koa/ours]`;
 * `BENCH_KEEP_CALLGRIND=1` keeps the dumps (in the temp dir) for `callgrind_annotate`, and `BENCH_PERF_MAP=1`
 * writes /tmp/perf-<pid>.map to put names on their JIT code.
 *
 * Each contender and scenario is the HTTP bench's own server (`http-server.ts`) under
 * `valgrind --tool=callgrind --instr-atstart=no node --single-threaded --no-memory-reducer`, twice, in two
 * processes side by side (the figure "measured twice in a row"): a warm-up, full collections, one more window
 * of requests (none of it counted), then one window counted from `callgrind_control -i on` to a dump, less
 * the JIT compiler's own work.
 * Instruction counts are not time (a cache miss costs more than an add): callgrind's cache and branch
 * simulation gives a cycle estimate beside them, which weighs misses too and is just as independent of the
 * machine's load. The req/s tables stay the figures the targets are judged on; these say whether a change
 * removed work, and how much.
 */

import { Buffer } from 'node:buffer';
import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { FRAMEWORKS, type Framework, type Variant, variantLabel } from './lib/contenders.js';
import { int, ratio, table } from './lib/format.js';
import { tokenRequests } from './lib/http-load.js';
import { startIdp } from './lib/idp-server.js';
import { accessClaims, generateKey, mintTokens, signToken } from './lib/jwt.js';
import { isMain, NODE_FLAGS, ROOT, reply } from './lib/process.js';
import { nextMessage, requestSettledHeap } from './lib/settled-heap.js';

const AUDIENCE = 'api://bench';
/** In flight while counting: enough to keep the server busy, few enough to stay far from any timeout. */
const CONNECTIONS = 10;

type Tokens = 'repeated' | 'distinct';

interface Plan {
  frameworks: readonly Framework[];
  /** Which of `RUNS`: quick counts only the distinct-token pair. */
  tokens: readonly Tokens[];
  warmup: number;
  /** Requests after the collections, not counted: V8 re-optimizes the request path for thousands of them. */
  rewarm: number;
  window: number;
}

const PLANS: Record<'quick' | 'full', Plan> = {
  full: {
    frameworks: FRAMEWORKS,
    tokens: ['repeated', 'distinct'],
    warmup: 10_000,
    rewarm: 6000,
    window: 2000,
  },
  quick: { frameworks: ['fastify'], tokens: ['distinct'], warmup: 2000, rewarm: 1000, window: 500 },
};

/** Requests in a full run's counted window. */
export const WINDOW_REQUESTS = PLANS.full.window;

/** What each contender is compared with: distinct tokens against the floor hook, one token against bare. */
const RUNS: readonly { variant: Variant; tokens: Tokens }[] = [
  { variant: 'bare', tokens: 'repeated' },
  { variant: 'ours', tokens: 'repeated' },
  { variant: 'hook', tokens: 'repeated' },
  { variant: 'floor', tokens: 'distinct' },
  { variant: 'ours', tokens: 'distinct' },
];

export interface InstructionRow {
  framework: Framework;
  variant: Variant;
  tokens: Tokens;
  /** Instructions per request in each of the two runs. */
  runs: [number, number];
  /** Estimated cycles per request (`estimatedCycles`) in each of the two runs. */
  cycles: [number, number];
}

/** Which figure of a row: instructions, or the cycle estimate. */
export type Figure = 'runs' | 'cycles';

export interface InstructionsReport {
  rows: InstructionRow[];
  requestsPerWindow: number;
  /** Why nothing was measured (valgrind missing), when so. */
  unavailable?: string;
  markdown: string;
}

function valgrindMissing(): string | undefined {
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
    execFileSync('callgrind_control', ['-h'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'valgrind (with callgrind_control) is not installed: `apt-get install -y valgrind`';
  }
}

async function startCounted(
  framework: Framework,
  variant: Variant,
  issuer: string,
  out: string,
): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(
    fileURLToPath(new URL('./http-server.ts', import.meta.url)),
    [framework, variant, issuer, AUDIENCE],
    {
      cwd: ROOT,
      // Below the load generator's priority: with both cores taken by the two counted servers, a starved
      // generator hands over one request per event-loop turn instead of several, and the per-turn work
      // (polling, timers) then moved the counts by up to 20 % from one run to the next.
      execPath: 'nice',
      execArgv: [
        '-n',
        '10',
        'valgrind',
        '--tool=callgrind',
        '--instr-atstart=no',
        `--callgrind-out-file=${out}`,
        // Caches and branch predictor simulated too, for the cycle estimate (about twice as slow).
        '--cache-sim=yes',
        '--branch-sim=yes',
        // Nothing counted inside V8's compilers: optimizing a function costs millions of instructions, and
        // how many compilations fall into a window is not the request's cost (their callees, Zone and malloc,
        // escaped the name filter below).
        ...COMPILER_ENTRIES.map((name) => `--toggle-collect=${name}`),
        // A toggle otherwise starts with collection off.
        '--collect-atstart=yes',
        process.execPath,
        '--single-threaded',
        // No timer-driven collections: a memory reducer firing while idle would make runs differ.
        '--no-memory-reducer',
        '--expose-gc',
        // A young generation of one fixed size: V8 otherwise grows and shrinks it with the allocation rate,
        // and a forced collection shrinks it to the minimum, each changing how many scavenges a window has.
        '--min-semi-space-size=16',
        '--max-semi-space-size=16',
        // BENCH_PERF_MAP=1: /tmp/perf-<pid>.map names the JIT code in the kept dumps (it costs a little).
        ...(process.env.BENCH_PERF_MAP ? ['--perf-basic-prof'] : []),
        ...NODE_FLAGS,
      ],
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    },
  );
  const started = await nextMessage<{ port?: number; error?: string }>(child);
  if (started.port === undefined) throw new Error(started.error ?? 'no port');
  return { child, url: `http://127.0.0.1:${started.port}/` };
}

/** Sends exactly `amount` requests, each with the next token; every one must answer 200. */
async function send(url: string, tokens: readonly string[], from: number, amount: number): Promise<void> {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    amount,
    requests: tokenRequests(tokens, from),
  });
  const answered = result['2xx'];
  if (answered !== amount) throw new Error(`${answered} of ${amount} requests answered 2xx`);
}

function callgrind(pid: number, ...args: string[]): void {
  execFileSync('callgrind_control', [...args, String(pid)], { stdio: 'ignore', timeout: 60_000 });
}

/** The dump files callgrind has written for `out` (`out.1`, `out.2`, …), in order. */
function dumpFiles(out: string): string[] {
  const dir = dirname(out);
  const prefix = `${basename(out)}.`;
  return readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && /^\d+$/.test(f.slice(prefix.length)))
    .sort((a, b) => Number(a.slice(prefix.length)) - Number(b.slice(prefix.length)))
    .map((f) => join(dir, f));
}

/**
 * The runtime entries into V8's compilers, never called inside one another (a toggle inside a toggle would
 * count again): TurboFan's synchronous compile (`--single-threaded`), lazy bytecode compilation, and
 * Sparkplug's batches.
 */
const COMPILER_ENTRIES = [
  '*Runtime_CompileOptimized*',
  '*Runtime_CompileLazy*',
  '*BaselineBatchCompiler::CompileBatch*',
];

/**
 * V8's optimizing compiler and code generation: under valgrind the JIT is still tiering functions up after
 * 10,000 requests (some run once per wall-clock second, so how hot they are depends on valgrind's speed), and
 * that work moved counts by 10–15 % from run to run. It is left out: what is counted is the request path.
 * What runs under `COMPILER_ENTRIES` is not collected at all; this takes out compiler code outside them.
 */
const JIT_WORK =
  /v8::internal::(compiler::|baseline::|Compiler::|OptimizingCompileDispatcher|CodeGenerator|Assembler|RegExpCompiler|RegExpMacroAssembler|interpreter::Bytecode)/;

/** One event column of `callgrind_annotate`: a count with its share, or `.` for none. */
const COLUMN = /^\s*([\d,]+|\.)(?: \(\s*[\d.]+%\))?/;

/** One function's exclusive cost in a dump, per event (`Ir`, `I1mr`, `Bcm`…), as `callgrind_annotate` lists it. */
export interface FunctionCost {
  name: string;
  events: Record<string, number>;
}

/** A dump's header: the counted process and the events of every cost line. */
export function dumpHeader(file: string): { pid: string; events: string[] } {
  const buffer = Buffer.alloc(4096);
  const fd = openSync(file, 'r');
  let head: string;
  try {
    head = buffer.toString('utf8', 0, readSync(fd, buffer, 0, buffer.length, 0));
  } finally {
    closeSync(fd);
  }
  const events = /^events: (.+)$/m.exec(head)?.[1]?.split(' ');
  if (events === undefined) throw new Error(`${file}: no events line`);
  return { pid: /^pid: (\d+)$/m.exec(head)?.[1] ?? '', events };
}

/** Every function of a dump with its exclusive cost (what `callgrind-diff.ts` compares too). */
export function annotatedFunctions(file: string): FunctionCost[] {
  const { events } = dumpHeader(file);
  const annotated = execFileSync('callgrind_annotate', ['--inclusive=no', '--threshold=100', file], {
    maxBuffer: 256 * 1024 * 1024,
  }).toString();
  const functions: FunctionCost[] = [];
  for (const line of annotated.split('\n')) {
    let rest = line;
    const counts: number[] = [];
    for (let match = COLUMN.exec(rest); match && counts.length < events.length; match = COLUMN.exec(rest)) {
      counts.push(match[1] === '.' ? 0 : Number(match[1]!.replaceAll(',', '')));
      rest = rest.slice(match[0].length);
    }
    // The program totals line has counts too, but no function after them.
    if (counts.length === events.length && !rest.includes('PROGRAM TOTALS'))
      functions.push({
        name: rest.trim(),
        events: Object.fromEntries(events.map((e, i) => [e, counts[i]!])),
      });
  }
  return functions;
}

/** A dump's totals per event (`Ir`, `I1mr`, `Bcm`…), less those of JIT compilation (exclusive cost per function). */
function requestEvents(file: string): Record<string, number> {
  const text = readFileSync(file, 'utf8');
  const events = /^events: (.+)$/m.exec(text)?.[1]?.split(' ');
  const totals = /^totals: (.+)$/m.exec(text)?.[1]?.split(' ').map(Number);
  if (events === undefined || totals?.length !== events.length) throw new Error(`${file}: no totals`);
  for (const { name, events: cost } of annotatedFunctions(file))
    if (JIT_WORK.test(name)) for (const [i, event] of events.entries()) totals[i]! -= cost[event] ?? 0;
  return Object.fromEntries(events.map((event, i) => [event, totals[i]!]));
}

/**
 * callgrind's cycle estimate (KCachegrind's CEst): an instruction is 1, a branch mispredicted or an L1 miss 10,
 * a last-level miss 100. Instructions alone miss what made Express's path slower than its count (+14 % L1 misses
 * for +8 % instructions); this weighs them, still from a simulation that does not depend on the machine's load.
 */
export function estimatedCycles(e: Record<string, number>): number {
  const at = (name: string) => e[name] ?? 0;
  const l1 = at('I1mr') + at('D1mr') + at('D1mw');
  const ll = at('ILmr') + at('DLmr') + at('DLmw');
  return at('Ir') + 10 * (at('Bcm') + at('Bim')) + 10 * l1 + 100 * ll;
}

/** One server process: a warm-up, a settled heap, a window not counted, then one counted; costs per request. */
async function measureOnce(
  framework: Framework,
  variant: Variant,
  list: readonly string[],
  issuer: string,
  plan: Plan,
  run: number,
): Promise<{ instructions: number; cycles: number }> {
  const out = join(tmpdir(), `identity-model-bench-${process.pid}-${framework}-${variant}-${run}.callgrind`);
  const { child, url } = await startCounted(framework, variant, issuer, out);
  try {
    // Distinct tokens: the warm-up fills the verified-token cache, the window then uses tokens never seen.
    await send(url, list, 0, plan.warmup);
    // The window starts from a collected heap in every run: whether a full collection falls inside it no
    // longer depends on where the warm-up left the heap (it split counts ~4 % apart, in two clusters).
    await requestSettledHeap(child);
    // The settled heap has finished its sweeping too (settledHeap), but V8 optimizes the request path again
    // after the collections (`--trace-opt`: 73, 36, 6, 2 optimizations in successive blocks of 2,000
    // requests), running it unoptimized meanwhile. Requests not counted let that finish.
    await send(url, list, plan.warmup, plan.rewarm);
    callgrind(child.pid!, '-i', 'on');
    await send(url, list, plan.warmup + plan.rewarm, plan.window);
    callgrind(child.pid!, '-d');
    const files = dumpFiles(out);
    if (files.length !== 1) throw new Error(`callgrind wrote ${files.length} dumps, not 1`);
    const events = requestEvents(files[0]!);
    return { instructions: events.Ir! / plan.window, cycles: estimatedCycles(events) / plan.window };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(null)));
    if (!process.env.BENCH_KEEP_CALLGRIND)
      for (const file of [out, ...dumpFiles(out)]) if (existsSync(file)) rmSync(file);
  }
}

export async function runInstructions(
  quick: boolean,
  only: readonly string[] = [],
  log: (line: string) => void = () => {},
): Promise<InstructionsReport> {
  const plan = PLANS[quick ? 'quick' : 'full'];
  const unavailable = valgrindMissing();
  if (unavailable !== undefined) {
    return {
      rows: [],
      requestsPerWindow: plan.window,
      unavailable,
      markdown: `Not measured: ${unavailable}.`,
    };
  }
  const key = generateKey('RS256', 'bench-instructions');
  const idp = await startIdp([key.jwk]);
  try {
    const tokens: Record<Tokens, readonly string[]> = {
      repeated: [signToken(key, accessClaims(idp.issuer, AUDIENCE))],
      distinct: await mintTokens(key, idp.issuer, AUDIENCE, plan.warmup + plan.rewarm + plan.window),
    };
    // `--only=express` or `--only=koa/ours/repeated`: jobs whose framework/variant/tokens contain one of them.
    const jobs = plan.frameworks
      .flatMap((framework) => RUNS.map((run) => ({ framework, ...run })))
      .filter((j) => plan.tokens.includes(j.tokens))
      .filter(
        (j) => only.length === 0 || only.some((o) => `${j.framework}/${j.variant}/${j.tokens}`.includes(o)),
      );
    const rows: InstructionRow[] = [];
    for (const { framework, variant, tokens: mode } of jobs) {
      // Each scenario in processes of its own, so every count follows the same warm-up; two side by side.
      const [first, second] = await Promise.all(
        [1, 2].map((run) => measureOnce(framework, variant, tokens[mode], idp.issuer, plan, run)),
      );
      const row: InstructionRow = {
        framework,
        variant,
        tokens: mode,
        runs: [first!.instructions, second!.instructions],
        cycles: [first!.cycles, second!.cycles],
      };
      rows.push(row);
      log(
        `instructions ${mode} ${variantLabel(framework, variant)}: ${int(row.runs[0])} / ${int(row.runs[1])} per request, ` +
          `estimated cycles ${int(row.cycles[0])} / ${int(row.cycles[1])}`,
      );
    }
    return { rows, requestsPerWindow: plan.window, markdown: renderInstructions(rows, plan) };
  } finally {
    await idp.close();
  }
}

/** The two runs' mean. */
export function perRequest(row: InstructionRow, figure: Figure = 'runs'): number {
  return (row[figure][0] + row[figure][1]) / 2;
}

/** How far apart the two runs are, relative to their mean. */
export function apart(row: InstructionRow, figure: Figure = 'runs'): number {
  return Math.abs(row[figure][0] - row[figure][1]) / perRequest(row, figure);
}

/** The contender's figure per request over ours (or `of`'s; above 1: ours costs less), in each run. */
export function instructionRatio(
  rows: readonly InstructionRow[],
  framework: Framework,
  tokens: Tokens,
  against: Variant,
  of: Variant = 'ours',
  figure: Figure = 'runs',
): { runs: [number, number]; mean: number } | undefined {
  const ours = rows.find((r) => r.framework === framework && r.variant === of && r.tokens === tokens);
  const other = rows.find((r) => r.framework === framework && r.variant === against && r.tokens === tokens);
  if (!ours || !other) return undefined;
  const runs: [number, number] = [other[figure][0] / ours[figure][0], other[figure][1] / ours[figure][1]];
  return { runs, mean: perRequest(other, figure) / perRequest(ours, figure) };
}

function renderInstructions(rows: readonly InstructionRow[], plan: Plan): string {
  const body = rows.map((row) => {
    const against = row.tokens === 'distinct' ? 'floor' : 'bare';
    const compared = row.variant === 'ours' || row.variant === 'hook';
    const versus = (figure: Figure) => {
      const r = compared
        ? instructionRatio(rows, row.framework, row.tokens, against, row.variant, figure)
        : undefined;
      return r ? `${ratio(r.runs[0])} / ${ratio(r.runs[1])}` : '1.00×';
    };
    return [
      variantLabel(row.framework, row.variant),
      row.tokens,
      int(row.runs[0]),
      int(row.runs[1]),
      `${(100 * apart(row)).toFixed(2)} %`,
      versus('runs'),
      int(row.cycles[0]),
      int(row.cycles[1]),
      `${(100 * apart(row, 'cycles')).toFixed(2)} %`,
      versus('cycles'),
    ];
  });
  return [
    `Instructions per request (callgrind), pipelining 1, ${CONNECTIONS} connections: ${int(plan.warmup)} requests of warm-up, three full collections and ${int(plan.rewarm)} more requests, none counted, then a window of ${int(plan.window)} requests counted, JIT compilation left out, a young generation of fixed size (16 MB semi-spaces), the servers at a lower priority than the load generator; each contender twice, in two processes side by side (*run 1*, *run 2*; *apart*: their difference over their mean). *× floor hook / × bare*: the other server's instructions per request over ours, run by run (distinct tokens against the floor hook, one repeated token against the bare framework): above 1.00× we execute fewer. *Est. cycles*: callgrind's cycle estimate from its cache and branch simulation (instructions + 10 per branch mispredicted and per L1 miss + 100 per last-level miss; KCachegrind's CEst), in the same windows and compared the same way: it also weighs the cache misses and mispredictions that instructions alone leave out.`,
    '',
    table(
      [
        'server',
        'tokens',
        'run 1',
        'run 2',
        'apart',
        '× floor hook / × bare (runs 1 / 2)',
        'est. cycles, run 1',
        'run 2',
        'apart',
        '× floor hook / × bare (cycles)',
      ],
      body,
      'llrrrrrrrr',
    ),
  ].join('\n');
}

if (isMain(import.meta.url)) {
  const quick = process.argv.includes('--quick');
  const only = process.argv.filter((a) => a.startsWith('--only=')).flatMap((a) => a.slice(7).split(','));
  const report = await runInstructions(quick, only, (line) => console.error(line));
  if (!reply(report)) console.log(report.markdown);
}
