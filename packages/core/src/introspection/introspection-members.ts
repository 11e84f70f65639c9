import { deepFreeze } from '../protocol/deep-freeze.js';
import { kindOf } from '../protocol/protocol-response.js';
import type { TokenIntrospectionResponse } from './token-introspection-response.js';

/** The RFC 7662 §2.2 members of an introspection answer, typed (see `TokenIntrospectionResponse`). */
export type IntrospectionMembers = Pick<
  TokenIntrospectionResponse,
  | 'isActive'
  | 'scope'
  | 'scopes'
  | 'clientId'
  | 'username'
  | 'tokenType'
  | 'exp'
  | 'iat'
  | 'nbf'
  | 'sub'
  | 'aud'
  | 'iss'
  | 'jti'
  | 'cnf'
  | 'claims'
>;

const STRINGS = {
  scope: 'scope',
  clientId: 'client_id',
  username: 'username',
  tokenType: 'token_type',
  sub: 'sub',
  iss: 'iss',
  jti: 'jti',
} as const;
const DATES = ['exp', 'iat', 'nbf'] as const;
/** Entries of an `aud` list we read (an audience list is a handful of URIs). */
const MAX_AUDIENCES = 100;

function numericDate(value: unknown): number | undefined | null {
  if (value === undefined) return undefined;
  // 1e308 is an integer to JavaScript but no date: only safe, non-negative integers are seconds.
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

/**
 * Reads an introspection answer's members, or says why it is unusable (naming the member and its JSON type,
 * never its value). `active` is REQUIRED and boolean (RFC 7662 §2.2): anything else is no answer at all. An
 * inactive token's other members are kept in `claims` but not typed: nothing about it is to be relied on.
 */
export function readIntrospectionMembers(raw: Record<string, unknown>): IntrospectionMembers | string {
  const active = raw.active;
  if (typeof active !== 'boolean') return `"active" is ${kindOf(active)}, not a boolean`;
  const claims = structuredClone(raw);
  deepFreeze(claims);
  if (!active) return { ...inactive(), claims };

  const strings: Record<keyof typeof STRINGS, string | undefined> = {
    scope: undefined,
    clientId: undefined,
    username: undefined,
    tokenType: undefined,
    sub: undefined,
    iss: undefined,
    jti: undefined,
  };
  for (const [property, member] of Object.entries(STRINGS) as [keyof typeof STRINGS, string][]) {
    const value = raw[member];
    if (value !== undefined && typeof value !== 'string')
      return `"${member}" is ${kindOf(value)}, not a string`;
    strings[property] = value;
  }
  const dates: Record<(typeof DATES)[number], number | undefined> = {
    exp: undefined,
    iat: undefined,
    nbf: undefined,
  };
  for (const name of DATES) {
    const value = numericDate(raw[name]);
    if (value === null) return `"${name}" is not a number of seconds since the epoch`;
    dates[name] = value;
  }
  const aud = raw.aud;
  if (
    aud !== undefined &&
    typeof aud !== 'string' &&
    !(Array.isArray(aud) && aud.length <= MAX_AUDIENCES && aud.every((a) => typeof a === 'string'))
  ) {
    return `"aud" is ${kindOf(aud)}, not a string or a list of at most ${MAX_AUDIENCES} strings`;
  }
  const cnf = claims.cnf;
  if (cnf !== undefined && (typeof cnf !== 'object' || cnf === null || Array.isArray(cnf))) {
    return `"cnf" is ${kindOf(cnf)}, not an object`;
  }
  return {
    isActive: true,
    ...strings,
    scopes: Object.freeze(strings.scope?.split(' ').filter(Boolean) ?? []),
    ...dates,
    aud: claims.aud as string | readonly string[] | undefined,
    cnf: cnf as Readonly<Record<string, unknown>> | undefined,
    claims,
  };
}

/** The members of a response that is no answer (an error) or of an inactive token. */
export function inactive(): IntrospectionMembers {
  return {
    isActive: false,
    scope: undefined,
    scopes: Object.freeze([]),
    clientId: undefined,
    username: undefined,
    tokenType: undefined,
    exp: undefined,
    iat: undefined,
    nbf: undefined,
    sub: undefined,
    aud: undefined,
    iss: undefined,
    jti: undefined,
    cnf: undefined,
    claims: EMPTY,
  };
}

const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});
