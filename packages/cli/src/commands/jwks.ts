import { parseArgs } from 'node:util';
import {
  AsymmetricSigningAlgorithms,
  type DiscoveryDocumentResponse,
  getJwks,
  type JsonWebKey,
  JwksRequest,
  type JwksResponse,
} from '@identity-model/core';
import { onePositional, parsingArgs, requireUrl } from '../args.js';
import type { Command, CommandContext, CommandResult } from '../context.js';
import { ExitCode, exitCodeOfFailure, UsageError } from '../exit-codes.js';
import { rows } from '../format.js';
import { discover, discoveryFailureJson, discoveryFailureLines } from './discover.js';

const HELP = `identity-model jwks <issuer|jwks-url>

Fetches a JWK Set (from the issuer's discovery document, or the URL itself when it is not an issuer) and
checks it as token validation does (RFC 7517): every key with kid, kty, alg, use and its size; the keys
left out of the set and why (short or huge RSA keys, private members, symmetric keys, unknown types); the
keys kept that validation will still not use (encryption keys, algorithms not accepted by default).

  <issuer|jwks-url>   the issuer URL, or the jwks_uri
  --json              one JSON document on stdout

Exit: 0 the set has a usable key, 1 refused or no usable key, 2 usage, 3 provider unreachable or failing.`;

const ACCEPTED_ALGS: ReadonlySet<string> = new Set(AsymmetricSigningAlgorithms);
const CURVE_BITS: Record<string, number> = { 'P-256': 256, 'P-384': 384, 'P-521': 521, secp256k1: 256 };

/** Bit length of a base64url big-endian integer or octet string, leading zero bytes ignored. */
function bits(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const bytes = Buffer.from(value, 'base64url');
  let start = 0;
  while (start < bytes.length && bytes[start] === 0) start++;
  if (start === bytes.length) return 0;
  return (bytes.length - start - 1) * 8 + (32 - Math.clz32(bytes[start]!));
}

/** The size a person means: RSA modulus bits, the curve's order size, OKP public key bits. */
export function keySize(key: Record<string, unknown>): number | undefined {
  if (key.kty === 'RSA') return bits(key.n);
  if (key.kty === 'EC') return typeof key.crv === 'string' ? CURVE_BITS[key.crv] : undefined;
  if (key.kty === 'OKP')
    return typeof key.x === 'string' ? Buffer.from(key.x, 'base64url').length * 8 : undefined;
  if (key.kty === 'oct')
    return typeof key.k === 'string' ? Buffer.from(key.k, 'base64url').length * 8 : undefined;
  return undefined;
}

const str = (value: unknown) => (typeof value === 'string' ? value : undefined);

function describe(key: Record<string, unknown>) {
  return {
    kid: str(key.kid),
    kty: str(key.kty),
    alg: str(key.alg),
    use: str(key.use),
    crv: str(key.crv),
    bits: keySize(key),
  };
}

/** Why a key the set kept will still never verify a token under the default options, if it will not. */
function unusedBecause(key: JsonWebKey): string | undefined {
  if (key.use === 'enc') return 'use "enc": an encryption key, never used to verify signatures';
  if (key.alg !== undefined && !ACCEPTED_ALGS.has(key.alg)) {
    return `alg ${key.alg} is not accepted by default (${[...ACCEPTED_ALGS].join(', ')})`;
  }
  return undefined;
}

/** Discovery fails with "nothing here" rather than "something wrong": the address may be the jwks_uri. */
function notAnIssuer(doc: DiscoveryDocumentResponse): boolean {
  const noDocument = Object.keys(doc.raw).length === 0;
  if (doc.errorType === 'http')
    return doc.httpStatus !== undefined && doc.httpStatus >= 400 && doc.httpStatus < 500;
  return doc.errorType === 'protocol' && noDocument;
}

async function run(context: CommandContext): Promise<CommandResult> {
  const { positionals } = parsingArgs('jwks', () =>
    parseArgs({ args: context.args, options: {}, strict: true, allowPositionals: true }),
  );
  const address = onePositional(positionals, 'jwks');
  if (address === undefined)
    throw new UsageError('an issuer or JWKS URL is required: identity-model jwks <url>');
  requireUrl(address, 'the address');
  const { style } = context;

  let jwksUri = address;
  let source = 'the address itself';
  const doc = await discover(context, address);
  if (doc.isSuccessful && doc.jwksUri !== undefined) {
    jwksUri = doc.jwksUri;
    source = 'jwks_uri of the discovery document';
  } else if (!doc.isSuccessful && !notAnIssuer(doc)) {
    return {
      exitCode: exitCodeOfFailure(doc.errorType, doc.httpStatus),
      json: { command: 'jwks', address, discovery: discoveryFailureJson(doc) },
      human: discoveryFailureLines(doc, style).join('\n'),
    };
  }

  const set: JwksResponse = await getJwks(new JwksRequest({ address: jwksUri }), context.http());
  const published = Array.isArray((set.raw as { keys?: unknown } | undefined)?.keys)
    ? ((set.raw as { keys: unknown[] }).keys as Record<string, unknown>[])
    : [];
  const keys = set.keys.map((key) => ({ ...describe(key), unused: unusedBecause(key) }));
  const rejected = set.rejectedKeys.map((r) => ({
    index: r.index,
    ...describe(
      typeof published[r.index] === 'object' && published[r.index] !== null ? published[r.index]! : {},
    ),
    reason: r.reason,
  }));
  const json = {
    command: 'jwks',
    address,
    jwksUri,
    source,
    ok: set.isSuccessful,
    ...(set.isSuccessful ? {} : { errorType: set.errorType, error: set.error, httpStatus: set.httpStatus }),
    keys,
    rejectedKeys: rejected,
  };

  const lines = [style.bold(`JWK Set ${jwksUri}`), style.dim(`  from ${source}`)];
  if (!set.isSuccessful) lines.push(style.bad(`  refused: ${set.error}`));
  for (const key of keys) {
    const size = key.bits === undefined ? undefined : `${key.bits} bits${key.crv ? ` (${key.crv})` : ''}`;
    lines.push(
      `${key.unused ? style.warn('~ kept, unused') : style.ok('✓ usable')}  ${key.kid ?? '(no kid)'}`,
      ...rows(
        [
          ['kty', key.kty],
          ['alg', key.alg ?? '(any the token names, within the accepted list)'],
          ['use', key.use],
          ['size', size],
          ['note', key.unused],
        ],
        style,
        '    ',
      ),
    );
  }
  for (const key of rejected) {
    lines.push(
      `${style.bad('✗ left out')}  ${key.kid ?? `(no kid, keys[${key.index}])`}`,
      ...rows(
        [
          ['kty', key.kty],
          ['alg', key.alg],
          ['why', key.reason],
        ],
        style,
        '    ',
      ),
    );
  }
  const usable = keys.filter((k) => k.unused === undefined).length;
  lines.push(style.dim(`${keys.length} kept (${usable} usable for signatures), ${rejected.length} left out`));
  const exitCode = set.isSuccessful
    ? usable > 0
      ? ExitCode.Ok
      : ExitCode.Refused
    : exitCodeOfFailure(set.errorType, set.httpStatus);
  return { exitCode, json, human: lines.join('\n') };
}

export const jwksCommand: Command = {
  name: 'jwks',
  summary: 'list a key set’s keys, sizes and algorithms, and what would be refused',
  help: HELP,
  run,
};
