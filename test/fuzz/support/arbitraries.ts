/**
 * fast-check generators for what an adversary sends: JWT-shaped strings, random JSON in JOSE segments,
 * mutations of a genuine token, and whole Authorization header values (raw bytes included).
 */
import fc from 'fast-check';

/** Runs per property: small in CI, `FUZZ_RUNS=20000` for a long run. */
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 300);

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64TOKEN_EXTRA = '.~+/=';

export const b64urlBytes = (max = 64) =>
  fc.uint8Array({ maxLength: max }).map((b) => Buffer.from(b).toString('base64url'));

export const b64tokenChars = (max = 200) =>
  fc.string({ unit: fc.constantFrom(...(B64URL + B64TOKEN_EXTRA).split('')), maxLength: max });

/** JSON values an attacker might put in a header or claim set, with JOSE member names mixed in. */
const joseKey = fc.oneof(
  fc.constantFrom(
    'alg',
    'kid',
    'typ',
    'crit',
    'jku',
    'jwk',
    'x5u',
    'x5c',
    'b64',
    'enc',
    'zip',
    '__proto__',
    'constructor',
  ),
  fc.constantFrom('iss', 'aud', 'exp', 'nbf', 'iat', 'sub', 'scope', 'scp', 'client_id', 'jti', 'cnf'),
  fc.string({ maxLength: 8 }),
);
const joseValue = fc.oneof(
  fc.constantFrom(
    'none',
    'None',
    'HS256',
    'RS256',
    'ES256',
    'EdDSA',
    'PS256',
    'at+jwt',
    'JWT',
    'logout+jwt',
    'b64',
  ),
  fc.jsonValue({ maxDepth: 2 }),
);
export const joseObject = fc.dictionary(joseKey, joseValue, { maxKeys: 8 });

/** JWT-shaped strings: segments of random base64url, random JSON, or random bytes; 1 to 6 parts. */
export const jwtShaped = fc.oneof(
  fc.array(b64urlBytes(96), { minLength: 1, maxLength: 6 }).map((p) => p.join('.')),
  fc
    .tuple(joseObject, joseObject, b64urlBytes(300))
    .map(
      ([h, p, s]) =>
        `${Buffer.from(JSON.stringify(h)).toString('base64url')}.${Buffer.from(JSON.stringify(p)).toString('base64url')}.${s}`,
    ),
  fc.tuple(b64tokenChars(80), b64tokenChars(200), b64tokenChars(80)).map(([a, b, c]) => `${a}.${b}.${c}`),
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 120 }),
);

export type Mutation =
  | { kind: 'flip'; at: number; char: string }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'swap-segments'; a: number; b: number }
  | { kind: 'replace-segment'; which: number; with: string }
  | { kind: 'header-member'; key: string; value: unknown };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.nat(),
    char: fc.constantFrom(...(B64URL + B64TOKEN_EXTRA).split('')),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.string({ minLength: 1, maxLength: 8 }),
  }),
  fc.record({ kind: fc.constant('swap-segments' as const), a: fc.nat(2), b: fc.nat(2) }),
  fc.record({ kind: fc.constant('replace-segment' as const), which: fc.nat(2), with: b64urlBytes(80) }),
  fc.record({ kind: fc.constant('header-member' as const), key: joseKey, value: joseValue }),
);

/** Applies a mutation to a compact token. The result may equal the input (then it is still genuine). */
export function mutate(token: string, m: Mutation): string {
  const at = (n: number) => n % (token.length + 1);
  switch (m.kind) {
    case 'flip': {
      const i = at(m.at) % token.length;
      return token.slice(0, i) + m.char + token.slice(i + 1);
    }
    case 'delete':
      return token.slice(0, at(m.at)) + token.slice(at(m.at) + m.length);
    case 'insert':
      return token.slice(0, at(m.at)) + m.text + token.slice(at(m.at));
    case 'swap-segments': {
      const p = token.split('.');
      [p[m.a], p[m.b]] = [p[m.b] as string, p[m.a] as string];
      return p.join('.');
    }
    case 'replace-segment': {
      const p = token.split('.');
      p[m.which] = m.with;
      return p.join('.');
    }
    case 'header-member': {
      const [h, ...rest] = token.split('.');
      const header = JSON.parse(Buffer.from(h as string, 'base64url').toString()) as Record<string, unknown>;
      Object.defineProperty(header, m.key, {
        value: m.value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      return [Buffer.from(JSON.stringify(header)).toString('base64url'), ...rest].join('.');
    }
  }
}

/** A whole Authorization header value: scheme, separator, credentials, suffix, as raw bytes. */
export const authorizationValue = (validToken: string) =>
  fc
    .tuple(
      fc.constantFrom('Bearer', 'bearer', 'BEARER', 'Basic', 'DPoP', '', 'Bearer:', 'Bearerx', 'Token'),
      fc.constantFrom(' ', '  ', '\t', '\u00a0', '', ',', ' \t '),
      fc.oneof(
        jwtShaped,
        fc.tuple(fc.constant(validToken), mutation).map(([t, m]) => mutate(t, m)),
        b64tokenChars(300),
        fc.string({ unit: 'grapheme', maxLength: 40 }),
      ),
      fc.constantFrom('', ' ', ',', ' x', '\u200b', ', Bearer abc'),
    )
    .map(([scheme, sep, cred, suffix]) => `${scheme}${sep}${cred}${suffix}`)
    // Only what a client can put on the wire: no CR/LF (those would end the header line).
    .map((v) => Buffer.from(v.replace(/[\r\n]/g, ''), 'utf8'));
