import { KeyObject } from 'node:crypto';
import { AsymmetricSigningAlgorithms, SymmetricSigningAlgorithms } from '../constants/signing-algorithms.js';
import type { DiscoveryPolicyOptions } from '../discovery/discovery-policy.js';
import { ConfigurationError } from '../errors.js';
import type { HttpClient } from '../http/types.js';
import { RemoteKeySet } from '../jwks/remote-key-set.js';
import type { KeySource } from '../jwks/verification-key.js';
import { type Logger, silentLogger } from '../logger.js';
import { DEFAULT_SCOPE_CLAIMS } from '../principal/scopes.js';
import { algorithmSpec, SUPPORTED_ALGORITHMS } from './algorithms.js';
import type { ClaimValidator, TokenValidatorOptions } from './options.js';
import {
  checkDiscoverableIssuers,
  type IssuerOptionSpec,
  type IssuerRules,
  issuerRules,
} from './resolve-issuer.js';
import type { JwtClaims } from './types.js';

export type KeySourceSpec =
  | { kind: 'custom'; source: KeySource }
  | { kind: 'keys'; jwks: NonNullable<TokenValidatorOptions['keys']> }
  | { kind: 'secret'; secret: NonNullable<TokenValidatorOptions['secret']> }
  | { kind: 'jwksUri'; url: URL }
  | {
      kind: 'discovery';
      maxIssuers: number;
      policy: DiscoveryPolicyOptions | undefined;
      failureBackoffMs: number | undefined;
    };

/** Everything `createTokenValidator` needs, checked and precomputed once. */
export interface ResolvedOptions extends IssuerRules {
  /** False only for the seed's `verifyIss: false`: `iss` is then neither required nor compared. */
  checkIssuer: boolean;
  /** False only for the seed's `verifyNbf: false` / `verifyIat: false`. */
  checkNbf: boolean;
  checkIat: boolean;
  audiences: ReadonlySet<string> | undefined;
  algorithms: ReadonlySet<string>;
  clockTolerance: number;
  maxTokenAge: number | undefined;
  /** Claims that must be present, in the order they are checked. */
  requiredClaims: readonly string[];
  subject: string | undefined;
  /** Normalized accepted `typ` values (lower case, `application/` prefix); `absentTypOk` for a missing typ. */
  acceptedTypes: ReadonlySet<string>;
  absentTypOk: boolean;
  validators: ReadonlyArray<
    readonly [string, (value: unknown, claims: JwtClaims) => boolean | Promise<boolean>]
  >;
  keySource: KeySourceSpec;
  keySet: TokenValidatorOptions['keySet'];
  cache: { maxEntries: number; maxTtlMs: number } | undefined;
  maxTokenLength: number;
  scopeClaims: readonly string[];
  httpClient: HttpClient | undefined;
  logger: Logger;
  now: () => number;
}

export const DEFAULT_ALGORITHMS: readonly string[] = AsymmetricSigningAlgorithms;
/** Seconds of clock skew allowed on `exp`, `nbf` and `iat` when `clockTolerance` is not given. */
export const DEFAULT_CLOCK_TOLERANCE = 5;
export const DEFAULT_MAX_TOKEN_LENGTH = 8192;
export const DEFAULT_CACHE_ENTRIES = 1000;
export const DEFAULT_CACHE_TTL_SECONDS = 300;
export const DEFAULT_MAX_ISSUERS = 100;
const STRICT_CLAIMS = ['iss', 'exp', 'aud', 'sub', 'client_id', 'iat', 'jti'];

/** `typ` as compared (RFC 7515 4.1.9: case-insensitive, `application/` may be omitted). */
export function normalizeTyp(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.includes('/') ? lower : `application/${lower}`;
}

function fail(message: string): never {
  throw new ConfigurationError(`createTokenValidator: ${message}`);
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function stringList(value: unknown, name: string): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || !list.every(isNonEmptyString)) {
    fail(`${name} must be a non-empty string or a non-empty array of non-empty strings`);
  }
  return [...list];
}

function seconds(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    fail(`${name} must be a number of seconds between ${min} and ${max}`);
  }
  return value;
}

function integer(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(`${name} must be an integer between ${min} and ${max}`);
  }
  return value;
}

function resolveIssuer(issuer: unknown): IssuerOptionSpec {
  if (typeof issuer === 'function') return { predicate: issuer as (iss: string) => boolean };
  if (issuer === undefined) fail('issuer is required: the exact `iss` value your tokens carry (or a list)');
  const list = stringList(issuer, 'issuer');
  for (const iss of list) {
    if (iss !== iss.trim()) fail('issuer must not start or end with whitespace');
  }
  return { list };
}

function resolveKeySource(
  options: TokenValidatorOptions,
  issuer: IssuerOptionSpec | undefined,
): KeySourceSpec {
  const given = (['keySource', 'keys', 'secret', 'jwksUri'] as const).filter((k) => options[k] !== undefined);
  if (given.length > 1) fail(`give one key source, not ${given.join(' and ')}`);
  if (options.keySource !== undefined) {
    const s = options.keySource;
    if (typeof s?.getKeys !== 'function' || typeof s.isCurrent !== 'function') {
      fail('keySource must implement getKeys(kid) and isCurrent(key)');
    }
    return { kind: 'custom', source: s };
  }
  if (options.keys !== undefined) {
    if (!Array.isArray(options.keys?.keys)) fail('keys must be a JWK Set: { keys: [ ...public JWKs ] }');
    return { kind: 'keys', jwks: options.keys };
  }
  if (options.secret !== undefined) {
    const s = options.secret;
    if (
      !(typeof s === 'string' || s instanceof Uint8Array || (s instanceof KeyObject && s.type === 'secret'))
    ) {
      fail('secret must be a string, a Uint8Array or a secret KeyObject');
    }
    return { kind: 'secret', secret: s };
  }
  if (options.jwksUri !== undefined) {
    let url: URL;
    try {
      url = new URL(options.jwksUri);
    } catch (cause) {
      throw new ConfigurationError('createTokenValidator: jwksUri must be an absolute URL', { cause });
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') fail('jwksUri must be an https URL');
    return { kind: 'jwksUri', url };
  }
  if (issuer !== undefined) checkDiscoverableIssuers(issuer);
  const maxIssuers = integer(
    options.discovery?.maxIssuers ?? DEFAULT_MAX_ISSUERS,
    'discovery.maxIssuers',
    1,
    10_000,
  );
  const backoff = options.discovery?.failureBackoffMs;
  const failureBackoffMs =
    backoff === undefined ? undefined : integer(backoff, 'discovery.failureBackoffMs', 0, 3_600_000);
  return { kind: 'discovery', maxIssuers, policy: options.discovery?.policy, failureBackoffMs };
}

/**
 * `keySet` is checked now whatever the key source: with discovery the key sets are built on first use, far
 * from the mistake. RemoteKeySet's constructor is where these options are checked and it does no I/O, so
 * building one (and dropping it) proves them.
 */
function resolveKeySet(options: TokenValidatorOptions): TokenValidatorOptions['keySet'] {
  const keySet = options.keySet;
  if (keySet === undefined) return undefined;
  if (typeof keySet !== 'object' || keySet === null) fail('keySet must be an object of key set options');
  try {
    new RemoteKeySet('https://keyset-options.invalid/', { ...keySet, httpClient: options.httpClient });
  } catch (cause) {
    if (!(cause instanceof ConfigurationError)) throw cause;
    throw new ConfigurationError(`createTokenValidator: keySet: ${cause.message}`, { cause });
  }
  return keySet;
}

function resolveAlgorithms(options: TokenValidatorOptions, keySource: KeySourceSpec): Set<string> {
  if (options.algorithms === undefined) {
    if (keySource.kind === 'secret') {
      fail(`with a secret, list the HMAC algorithms explicitly, e.g. algorithms: ['HS256']`);
    }
    return new Set(DEFAULT_ALGORITHMS);
  }
  const list = stringList(options.algorithms, 'algorithms');
  const symmetric = new Set<string>(SymmetricSigningAlgorithms);
  for (const alg of list) {
    if (alg.trim().toLowerCase() === 'none') fail(`'none' is never allowed: unsigned tokens prove nothing`);
    if (algorithmSpec(alg) === undefined)
      fail(`unsupported algorithm; supported: ${SUPPORTED_ALGORITHMS.join(', ')}`);
    if (symmetric.has(alg) && keySource.kind !== 'secret' && keySource.kind !== 'custom') {
      fail(`${alg} needs a shared secret: give secret, or remove ${alg} from algorithms`);
    }
    if (!symmetric.has(alg) && keySource.kind === 'secret') {
      fail(`with a secret only HS256/HS384/HS512 can verify; remove ${alg} or use a public key source`);
    }
  }
  return new Set(list);
}

function resolveValidators(validators: TokenValidatorOptions['validators']): ResolvedOptions['validators'] {
  if (validators === undefined) return [];
  if (typeof validators !== 'object' || validators === null)
    fail('validators must be an object: { claim: check }');
  return Object.entries(validators).map(([claim, check]) => {
    if (typeof check === 'function') return [claim, check as ClaimValidator] as const;
    if (typeof check === 'string' || typeof check === 'number' || typeof check === 'boolean') {
      const expected = check;
      return [
        claim,
        (value: unknown) => value === expected || (Array.isArray(value) && value.includes(expected)),
      ] as const;
    }
    return fail(`validators.${claim} must be a string, number, boolean or function`);
  });
}

/** Switches only the seed-shaped `validateToken` may turn off (never the signature or `exp`). */
export interface SeedOverrides {
  checkIssuer?: boolean;
  checkNbf?: boolean;
  checkIat?: boolean;
}

export function resolveOptions(options: TokenValidatorOptions, seed: SeedOverrides = {}): ResolvedOptions {
  if (typeof options !== 'object' || options === null) fail('options are required: { issuer, audience }');
  const checkIssuer = seed.checkIssuer !== false;
  const issuer = checkIssuer ? resolveIssuer(options.issuer) : undefined;

  if (options.audience === undefined) {
    fail(
      'audience is required: the identifier of this API as it appears in `aud` (or false to skip the check)',
    );
  }
  const audiences =
    options.audience === false ? undefined : new Set(stringList(options.audience, 'audience'));

  const keySource = resolveKeySource(options, issuer);
  const logger = options.logger ?? silentLogger;
  const issuerChecks: IssuerRules =
    issuer === undefined
      ? { issuers: undefined, issuerAllowed: () => true, issuerRefusal: () => 'issuer not accepted' }
      : issuerRules(issuer, keySource.kind === 'discovery', logger);
  const algorithms = resolveAlgorithms(options, keySource);
  const clockTolerance = seconds(
    options.clockTolerance ?? DEFAULT_CLOCK_TOLERANCE,
    'clockTolerance',
    0,
    3600,
  );
  const maxTokenAge =
    options.maxTokenAge === undefined
      ? undefined
      : seconds(options.maxTokenAge, 'maxTokenAge', 1, 10 * 365 * 86400);
  const strict = options.strict === true;
  if (options.subject !== undefined && !isNonEmptyString(options.subject))
    fail('subject must be a non-empty string');
  if (options.requireIat !== undefined && typeof options.requireIat !== 'boolean')
    fail('requireIat must be a boolean');
  if (strict && options.requireIat === false)
    fail('strict (RFC 9068) requires iat: remove requireIat: false');

  const required = new Set<string>(['exp']);
  if (options.requireIat !== false || maxTokenAge !== undefined) required.add('iat');
  if (strict) for (const c of STRICT_CLAIMS) required.add(c);
  if (options.subject !== undefined) required.add('sub');
  if (options.requiredClaims !== undefined) {
    if (!Array.isArray(options.requiredClaims) || !options.requiredClaims.every(isNonEmptyString)) {
      fail('requiredClaims must be an array of claim names');
    }
    for (const c of options.requiredClaims) required.add(c);
  }

  let acceptedTypes: Set<string>;
  let absentTypOk: boolean;
  if (options.typ !== undefined) {
    acceptedTypes = new Set(stringList(options.typ, 'typ').map(normalizeTyp));
    absentTypOk = false;
    if (strict && (acceptedTypes.size !== 1 || !acceptedTypes.has('application/at+jwt'))) {
      fail(`strict (RFC 9068) accepts only typ 'at+jwt': remove typ or strict`);
    }
  } else if (strict) {
    acceptedTypes = new Set(['application/at+jwt']);
    absentTypOk = false;
  } else {
    acceptedTypes = new Set(['application/at+jwt', 'application/jwt']);
    absentTypOk = true;
  }

  let cache: ResolvedOptions['cache'];
  if (options.cache !== false) {
    const c = options.cache ?? {};
    if (typeof c !== 'object' || c === null) fail('cache must be false or { maxEntries, maxTtlSeconds }');
    cache = {
      maxEntries: integer(c.maxEntries ?? DEFAULT_CACHE_ENTRIES, 'cache.maxEntries', 1, 1_000_000),
      maxTtlMs: seconds(c.maxTtlSeconds ?? DEFAULT_CACHE_TTL_SECONDS, 'cache.maxTtlSeconds', 1, 86400) * 1000,
    };
  }

  const scopeClaims =
    options.scopeClaims === undefined ? DEFAULT_SCOPE_CLAIMS : stringList(options.scopeClaims, 'scopeClaims');
  if (options.now !== undefined && typeof options.now !== 'function')
    fail('now must be a function returning epoch ms');
  if (options.httpClient !== undefined && typeof options.httpClient?.request !== 'function') {
    fail('httpClient must be an HttpClient (see createHttpClient)');
  }

  const validators = resolveValidators(options.validators);

  return {
    ...issuerChecks,
    checkIssuer,
    checkNbf: seed.checkNbf !== false,
    checkIat: seed.checkIat !== false,
    audiences,
    algorithms,
    clockTolerance,
    maxTokenAge,
    requiredClaims: [...required],
    subject: options.subject,
    acceptedTypes,
    absentTypOk,
    validators,
    keySource,
    keySet: resolveKeySet(options),
    cache,
    maxTokenLength: integer(
      options.maxTokenLength ?? DEFAULT_MAX_TOKEN_LENGTH,
      'maxTokenLength',
      256,
      65_536,
    ),
    scopeClaims,
    httpClient: options.httpClient,
    logger,
    now: options.now ?? Date.now,
  };
}
