/**
 * What the `diagnostics_channel` events cost: the same warm validations with nobody subscribed to
 * `identity-model:validation` and with one subscriber (a counter), interleaved in one run, for a cache hit
 * (the cheapest path, where any overhead shows most) and a cache miss (a signature check per token). A build
 * without the publish calls cannot run in the same process, so the difference between it and "no subscriber"
 * is timed apart: the no-subscriber path adds one `hasSubscribers` read (and one call) per validation.
 * Run alone: `node --conditions=@identity-model/source --import tsx bench/diagnostics.ts [--quick]`.
 */
import { channel, subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createTokenValidator, DIAGNOSTICS_CHANNELS, type TokenValidator } from '@identity-model/core';
import type { JWK } from 'jose';
import { fixed, int, ratio, table } from './lib/format.js';
import { accessClaims, generateKey, mintTokens, signToken } from './lib/jwt.js';
import { type Measurement, measureInterleaved } from './lib/measure.js';
import { isMain, reply } from './lib/process.js';

const ISSUER = 'https://issuer.bench.example';
const AUDIENCE = 'api://bench';

export interface DiagnosticsRow {
  path: 'cache hit' | 'cache miss';
  subscriber: boolean;
  /** Nanoseconds per validation (median sequential latency). */
  ns: number;
  result: Measurement;
}

export interface DiagnosticsReport {
  rows: DiagnosticsRow[];
  /** Nanoseconds one `hasSubscribers` read takes: the no-subscriber path's only addition. */
  guardNs: number;
  /** Events the subscriber saw against validations made while it was subscribed (must be equal). */
  events: number;
  expectedEvents: number;
  markdown: string;
}

function guardCost(): number {
  const validation = channel(DIAGNOSTICS_CHANNELS.validation);
  const reads = 10_000_000;
  let hits = 0;
  for (let i = 0; i < 1_000_000; i++) if (validation.hasSubscribers) hits++;
  const start = performance.now();
  for (let i = 0; i < reads; i++) if (validation.hasSubscribers) hits++;
  const ms = performance.now() - start;
  if (hits !== 0) throw new Error('a subscriber was left on the validation channel');
  return (ms * 1e6) / reads;
}

export async function runDiagnostics(quick: boolean): Promise<DiagnosticsReport> {
  const hitCount = quick ? 20_000 : 100_000;
  const missCount = quick ? 2_000 : 10_000;
  const rounds = quick ? 3 : 7;
  const key = generateKey('ES256');
  const options = {
    issuer: ISSUER,
    audience: AUDIENCE,
    keys: { keys: [key.jwk] } as { keys: JWK[] },
    algorithms: ['ES256'],
  };
  const hot = signToken(key, accessClaims(ISSUER, AUDIENCE));
  const distinct = await mintTokens(key, ISSUER, AUDIENCE, missCount);
  const validators: TokenValidator[] = [];

  let events = 0;
  let expectedEvents = 0;
  const counter = () => {
    events++;
  };
  let subscribed = false;
  const setSubscribed = (on: boolean) => {
    if (on && !subscribed) subscribe(DIAGNOSTICS_CHANNELS.validation, counter);
    if (!on && subscribed) unsubscribe(DIAGNOSTICS_CHANNELS.validation, counter);
    subscribed = on;
  };

  const shared = createTokenValidator(options);
  validators.push(shared);
  await shared.validate(hot); // warm: the cache holds `hot` from now on

  const contenders: {
    path: DiagnosticsRow['path'];
    subscriber: boolean;
    tokens: string[];
    fresh: boolean;
  }[] = [
    { path: 'cache hit', subscriber: false, tokens: new Array<string>(hitCount).fill(hot), fresh: false },
    { path: 'cache hit', subscriber: true, tokens: new Array<string>(hitCount).fill(hot), fresh: false },
    { path: 'cache miss', subscriber: false, tokens: distinct, fresh: true },
    { path: 'cache miss', subscriber: true, tokens: distinct, fresh: true },
  ];
  try {
    const results = await measureInterleaved(
      contenders.map((c) => ({
        make: async () => {
          // Each run sets the subscription it measures; a miss run starts with a cold cache of its own.
          setSubscribed(c.subscriber);
          let validator = shared;
          if (c.fresh) {
            validator = createTokenValidator(options);
            validators.push(validator);
            await validator.validate(hot); // keys imported: only the per-token work is timed
            if (c.subscriber) expectedEvents++;
          }
          if (c.subscriber) expectedEvents += c.tokens.length;
          return (t: string) => validator.validate(t);
        },
        tokens: c.tokens,
      })),
      { rounds, warmupRounds: 1, reference: 0 },
    );
    setSubscribed(false);
    const guardNs = guardCost();
    const rows = contenders.map((c, i) => ({
      path: c.path,
      subscriber: c.subscriber,
      ns: results[i]!.latencyUs * 1000,
      result: results[i]!,
    }));
    const base = (path: DiagnosticsRow['path']) => rows.find((r) => r.path === path && !r.subscriber)!;
    const markdown = [
      `ES256, validations one after another (ns each, median of ${rounds} rounds after 1 warm-up, interleaved); ` +
        `cache hit: ${int(hitCount)} validations of one token per run; cache miss: ${int(missCount)} distinct ` +
        `tokens per run on a fresh validator. The subscriber counts events: it saw ${int(events)} of the ` +
        `${int(expectedEvents)} validations made while subscribed. Without a subscriber the only work added to a ` +
        `build without publish calls is one \`hasSubscribers\` read: ${fixed(guardNs, 2)} ns, timed apart.`,
      '',
      table(
        ['path', 'subscriber', 'ns/validation', '× no subscriber', 'ops/s in flight'],
        rows.map((r) => [
          r.path,
          r.subscriber ? 'one (a counter)' : 'none',
          int(r.ns),
          ratio(r.ns / base(r.path).ns),
          int(r.result.opsPerSec),
        ]),
        'llrrr',
      ),
    ].join('\n');
    return { rows, guardNs, events, expectedEvents, markdown };
  } finally {
    setSubscribed(false);
    await Promise.all(validators.map((v) => v.close()));
  }
}

if (isMain(import.meta.url)) {
  const report = await runDiagnostics(process.argv.includes('--quick'));
  if (!reply(report)) console.log(report.markdown);
}
