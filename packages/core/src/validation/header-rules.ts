import { TokenValidationError } from '../errors.js';
import { type AlgorithmSpec, algorithmSpec } from './algorithms.js';
import { normalizeTyp, type ResolvedOptions } from './resolve-options.js';
import type { JwtHeader } from './types.js';

/** Header parameters RFC 7515 registers; they may never be listed in `crit`. */
const REGISTERED = new Set([
  'alg',
  'jku',
  'jwk',
  'kid',
  'x5u',
  'x5c',
  'x5t',
  'x5t#S256',
  'typ',
  'cty',
  'crit',
]);
/** A `kid` longer than this names no key of ours; refusing it early keeps lookups and logs small. */
export const MAX_KID_LENGTH = 256;

/** A header that passed every rule, with what verification needs from it. */
export interface CheckedHeader {
  readonly header: JwtHeader;
  readonly spec: AlgorithmSpec;
  readonly kid: string | undefined;
}

function refuse(code: TokenValidationError['code'], message: string): never {
  throw new TokenValidationError(code, message);
}

/**
 * The header rules, in the order that matters: `alg: none` first in any spelling, then the allowlist, then
 * `crit`/`b64`, `typ` and `kid`. `jwk`, `jku`, `x5u`, `x5c` are ignored: keys only ever come from our key
 * source.
 */
export function checkHeader(header: Record<string, unknown>, options: ResolvedOptions): CheckedHeader {
  const alg = header.alg;
  if (typeof alg === 'string' && alg.trim().toLowerCase() === 'none')
    refuse('alg_none', 'unsigned token (alg none)');
  if (typeof alg !== 'string' || alg === '') refuse('token_malformed', 'header has no alg');
  if (!options.algorithms.has(alg)) refuse('alg_not_allowed', 'alg not allowed');
  const spec = algorithmSpec(alg)!;

  if (header.crit !== undefined) {
    const crit = header.crit;
    if (!Array.isArray(crit) || crit.length === 0)
      refuse('token_malformed', 'crit must be a non-empty array');
    for (const name of crit) {
      if (typeof name !== 'string' || name === '' || REGISTERED.has(name) || !Object.hasOwn(header, name)) {
        refuse('token_malformed', 'crit lists an invalid header parameter');
      }
    }
    // We implement no JWS extension, so any critical one must be refused (RFC 7515 4.1.11).
    refuse('crit_unsupported', 'token needs a JWS extension this validator does not implement');
  }
  // b64 (RFC 7797) changes what is signed; a JWT never uses it.
  if (header.b64 !== undefined) refuse('token_malformed', 'b64 header parameter is not allowed in a JWT');

  const typ = header.typ;
  if (typ === undefined) {
    if (!options.absentTypOk) refuse('typ_invalid', 'token has no typ');
  } else if (typeof typ !== 'string' || !options.acceptedTypes.has(normalizeTyp(typ))) {
    refuse('typ_invalid', 'token typ not accepted');
  }

  const kid = header.kid;
  if (kid !== undefined) {
    if (typeof kid !== 'string') refuse('token_malformed', 'kid must be a string');
    if (kid.length > MAX_KID_LENGTH) refuse('key_not_found', 'kid too long');
  }
  return { header: header as JwtHeader, spec, kid };
}
