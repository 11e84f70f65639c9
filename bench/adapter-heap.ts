/**
 * Heap growth of the server under distinct valid tokens, per adapter (Fastify, Express, Koa): issue 20's
 * "100,000 distinct valid tokens through each adapter: heap growth after GC < 30 MB".
 * `adapter-heap.ts [--quick]` is the load generator: per framework it forks the HTTP bench's server
 * (`http-server.ts <framework> ours …`, with `--expose-gc`), so only the server's heap is measured; the server
 * answers `{ heap: true }` over IPC with its heapUsed and RSS after three `gc()`. Tokens are EdDSA
 * (fast to mint in bulk, accepted by the adapters' default algorithms), each one distinct, sent over HTTP
 * keep-alive with a bounded number in flight; every request must answer 200.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { FRAMEWORKS, type Framework } from './lib/contenders.js';
import { fixed, int, table } from './lib/format.js';
import { startIdp } from './lib/idp-server.js';
import { generateKey, mintTokens } from './lib/jwt.js';
import { isMain, NODE_FLAGS, ROOT, reply } from './lib/process.js';
import { type HeapSample, nextMessage, requestSettledHeap } from './lib/settled-heap.js';

export interface AdapterHeapRow {
  framework: Framework;
  heapBeforeMb: number;
  heapAfterMb: number;
  heapGrowthMb: number;
  rssGrowthMb: number;
  seconds: number;
  requestsPerSec: number;
  /** Measured requests that did not answer 200 (any is a failed run). */
  non200: number;
}

export interface AdapterHeapReport {
  /** Measured tokens per adapter (the warm-up ones come on top). */
  count: number;
  warmUp: number;
  rows: AdapterHeapRow[];
  markdown: string;
}

const AUDIENCE = 'api://bench';
/** Requests in flight: enough to keep the server busy, few enough that queues do not count as growth. */
const CONCURRENCY = 48;

interface ServerProcess {
  child: ChildProcess;
  port: number;
  heap(): Promise<HeapSample>;
  stop(): Promise<void>;
}

async function startServer(framework: Framework, issuer: string): Promise<ServerProcess> {
  // The HTTP bench's own server with our adapter, which answers `{ heap: true }` with its settled heap.
  const child = fork(
    fileURLToPath(new URL('./http-server.ts', import.meta.url)),
    [framework, 'ours', issuer, AUDIENCE],
    {
      cwd: ROOT,
      execArgv: ['--expose-gc', ...NODE_FLAGS],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    },
  );
  const started = await nextMessage<{ port?: number; error?: string }>(child);
  if (started.port === undefined) throw new Error(`${framework} server: ${started.error ?? 'no port'}`);
  return {
    child,
    port: started.port,
    heap: () => requestSettledHeap(child),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}

/** GET / with `authorization` (none when undefined); resolves with the status once the body is read. */
function get(agent: Agent, port: number, authorization: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { agent, host: '127.0.0.1', port, path: '/', headers: authorization ? { authorization } : {} },
      (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
        res.once('error', reject);
      },
    );
    req.once('error', reject);
    req.end();
  });
}

/** Sends every token once, `CONCURRENCY` in flight; resolves with the number of answers other than 200. */
async function flood(agent: Agent, port: number, tokens: readonly string[]): Promise<number> {
  let next = 0;
  let non200 = 0;
  const worker = async () => {
    while (next < tokens.length) {
      const token = tokens[next++]!;
      if ((await get(agent, port, `Bearer ${token}`)) !== 200) non200++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return non200;
}

async function measureAdapter(
  framework: Framework,
  issuer: string,
  warmUpTokens: readonly string[],
  tokens: readonly string[],
): Promise<AdapterHeapRow> {
  const server = await startServer(framework, issuer);
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  try {
    // Without a token the adapter must refuse: otherwise nothing below goes through it.
    const unauthenticated = await get(agent, server.port, undefined);
    if (unauthenticated !== 401)
      throw new Error(`${framework}: no token answered ${unauthenticated}, not 401`);
    const warmUpNon200 = await flood(agent, server.port, warmUpTokens);
    if (warmUpNon200 > 0)
      throw new Error(`${framework}: ${warmUpNon200} warm-up requests did not answer 200`);
    const before = await server.heap();
    const started = performance.now();
    const non200 = await flood(agent, server.port, tokens);
    const seconds = (performance.now() - started) / 1000;
    const after = await server.heap();
    const mb = (bytes: number) => bytes / 2 ** 20;
    return {
      framework,
      heapBeforeMb: mb(before.heapUsed),
      heapAfterMb: mb(after.heapUsed),
      heapGrowthMb: mb(after.heapUsed - before.heapUsed),
      rssGrowthMb: mb(after.rss - before.rss),
      seconds,
      requestsPerSec: tokens.length / seconds,
      non200,
    };
  } finally {
    agent.destroy();
    await server.stop();
  }
}

const signed = (mb: number) => `${mb >= 0 ? '+' : ''}${fixed(mb, 1)}`;

function render(count: number, warmUp: number, rows: readonly AdapterHeapRow[]): string {
  return [
    `${int(count)} distinct valid tokens (EdDSA) per adapter, after ${int(warmUp)} distinct warm-up tokens; ` +
      `each adapter's server in a process of its own (\`--expose-gc\`), default options (issuer, audience, ` +
      `token cache of 1,000 entries), loaded over HTTP keep-alive with ${CONCURRENCY} requests in flight. ` +
      `Heap: the server's heapUsed after three \`gc()\`, before and after the measured tokens.`,
    '',
    table(
      [
        'adapter',
        'heap before, MB',
        'heap after, MB',
        'heap growth, MB',
        'RSS growth, MB',
        's',
        'requests/s',
        'non-200',
      ],
      rows.map((r) => [
        `@identity-model/${r.framework}`,
        fixed(r.heapBeforeMb, 1),
        fixed(r.heapAfterMb, 1),
        signed(r.heapGrowthMb),
        signed(r.rssGrowthMb),
        fixed(r.seconds, 1),
        int(r.requestsPerSec),
        int(r.non200),
      ]),
    ),
  ].join('\n');
}

export async function runAdapterHeap(quick: boolean): Promise<AdapterHeapReport> {
  const count = quick ? 10_000 : 100_000;
  const warmUp = quick ? 1_000 : 10_000;
  const key = generateKey('EdDSA', 'bench-adapter-heap');
  const idp = await startIdp([key.jwk]);
  try {
    // One set for all three servers: each server sees every token once, and no warm-up token is measured.
    const minted = await mintTokens(key, idp.issuer, AUDIENCE, warmUp + count);
    const warmUpTokens = minted.slice(0, warmUp);
    const tokens = minted.slice(warmUp);
    const rows: AdapterHeapRow[] = [];
    for (const framework of FRAMEWORKS) {
      const row = await measureAdapter(framework, idp.issuer, warmUpTokens, tokens);
      console.error(
        `adapter-heap ${framework}: heap ${signed(row.heapGrowthMb)} MB, ${int(row.requestsPerSec)} req/s, ` +
          `${row.non200} non-200`,
      );
      rows.push(row);
    }
    return { count, warmUp, rows, markdown: render(count, warmUp, rows) };
  } finally {
    await idp.close();
  }
}

if (isMain(import.meta.url)) {
  const report = await runAdapterHeap(process.argv.includes('--quick'));
  if (!reply(report)) console.log(report.markdown);
}
