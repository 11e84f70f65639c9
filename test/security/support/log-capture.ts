/**
 * Captures every log line (a real pino logger writing to memory) and every error the suite sees, and checks
 * that none of them holds a secret: a token, a client secret, private key material.
 */
import { Writable } from 'node:stream';
import pino, { type Logger as PinoLogger } from 'pino';

export interface LogCapture {
  logger: PinoLogger;
  lines: string[];
  errors: unknown[];
  /** Remembers an error (and, through `cause`, everything it wraps) for the final scan. */
  recordError(error: unknown): void;
  /** Remembers material that must never be logged or put in an error message. */
  addSecret(...values: (string | undefined)[]): void;
  /** Every leak found: which secret (redacted) and where. */
  findLeaks(): string[];
}

/** The pieces of a token or key worth searching for: the whole value and each long-enough part. */
export function secretPieces(value: string): string[] {
  const pieces = new Set<string>();
  if (value.length >= 12) pieces.add(value);
  for (const part of value.split(/[.\s]+/)) if (part.length >= 16) pieces.add(part);
  return [...pieces];
}

/** The private members of a JWK (d, p, q, dp, dq, qi, k) and PEM bodies. */
export function privateKeyPieces(jwk: Record<string, unknown>): string[] {
  return ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']
    .map((m) => jwk[m])
    .filter((v): v is string => typeof v === 'string' && v.length >= 16);
}

function describeError(error: unknown, depth = 0): string[] {
  if (depth > 10 || error === null || error === undefined) return [];
  if (!(error instanceof Error)) return [String(error)];
  const texts = [error.message, String(error.stack ?? '')];
  for (const [k, v] of Object.entries(error)) if (typeof v === 'string') texts.push(`${k}=${v}`);
  return [...texts, ...describeError((error as Error & { cause?: unknown }).cause, depth + 1)];
}

export function createLogCapture(level: pino.LevelWithSilent = 'trace'): LogCapture {
  const lines: string[] = [];
  const errors: unknown[] = [];
  const secrets = new Set<string>();
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  // Synchronous enough for tests: pino writes each line to the stream as it logs.
  const logger = pino({ level }, stream);
  return {
    logger,
    lines,
    errors,
    recordError(error) {
      errors.push(error);
    },
    addSecret(...values) {
      for (const v of values) if (v) for (const piece of secretPieces(v)) secrets.add(piece);
    },
    findLeaks() {
      const texts = [...lines, ...errors.flatMap((e) => describeError(e))];
      const leaks: string[] = [];
      for (const secret of secrets) {
        const where = texts.find((t) => t.includes(secret));
        if (where !== undefined) leaks.push(`${secret.slice(0, 6)}… found in: ${where.slice(0, 200)}`);
      }
      return leaks;
    },
  };
}

/** Registers everything secret a test provider holds: client secrets and every private signing key. */
export function addProviderSecrets(
  capture: LogCapture,
  idp: {
    clients: Record<string, { clientSecret: string; privateJwk?: object }>;
    privateJwk(alg: 'RS256' | 'ES256' | 'EdDSA'): object;
  },
): void {
  for (const client of Object.values(idp.clients)) {
    capture.addSecret(client.clientSecret);
    if (client.privateJwk)
      capture.addSecret(...privateKeyPieces(client.privateJwk as Record<string, unknown>));
  }
  for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) {
    capture.addSecret(...privateKeyPieces(idp.privateJwk(alg) as Record<string, unknown>));
  }
}
