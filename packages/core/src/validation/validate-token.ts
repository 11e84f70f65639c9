import { ConfigurationError, TokenValidationError } from '../errors.js';
import type { HttpClient } from '../http/types.js';
import type { JWK } from '../jwks/json-web-key.js';
import { type Logger, silentLogger } from '../logger.js';
import { DiscoveryKeySource } from './discovery-key-source.js';
import type { TokenValidatorOptions } from './options.js';
import { resolveOptions } from './resolve-options.js';
import { JwtAccessTokenValidator } from './token-validator.js';
import type { JwtClaims } from './types.js';

/**
 * The seed's `options` switches (py-identity-model / PyJWT `verify_*`, `require_*`, `leeway`), in camelCase.
 * Switches that would turn off the signature or expiry checks (`verifySignature`, `verifyExp`, `requireExp`
 * set to false) are refused with a `ConfigurationError`. `verifyJti` and `verifyAtHash` have nothing to check
 * on an access token and are accepted and ignored.
 */
export interface TokenValidationOptions {
  verifySignature?: boolean;
  verifyAud?: boolean;
  verifyIat?: boolean;
  verifyExp?: boolean;
  verifyNbf?: boolean;
  verifyIss?: boolean;
  verifySub?: boolean;
  verifyJti?: boolean;
  verifyAtHash?: boolean;
  requireAud?: boolean;
  requireIat?: boolean;
  requireExp?: boolean;
  requireNbf?: boolean;
  requireIss?: boolean;
  requireSub?: boolean;
  requireJti?: boolean;
  requireAtHash?: boolean;
  /** Clock tolerance in seconds (default 5). */
  leeway?: number;
}

/** The seed's `TokenValidationConfig`. */
export interface TokenValidationConfig {
  /** Find the issuer and its keys from the discovery document at `discoAddress`. */
  performDisco: boolean;
  /** Without discovery: the public key (a JWK) or a JWK Set. */
  key?: JWK | { keys: JWK[] };
  audience?: string | readonly string[];
  algorithms?: readonly string[];
  /** Expected issuer(s); with discovery, defaults to the document's `issuer`. */
  issuer?: string | readonly string[];
  subject?: string;
  options?: TokenValidationOptions;
  /** Runs last with all claims; returning false or throwing refuses the token (`claim_invalid`). */
  claimsValidator?: (claims: JwtClaims) => boolean | undefined | Promise<boolean | undefined>;
  /**
   * Not in the seed: tuning shared with `createTokenValidator`. Not part of the cache key: the first call
   * naming a discovery address decides the client and logger its key source uses.
   */
  httpClient?: HttpClient;
  logger?: Logger;
}

/** Validators kept for repeated calls, least recently used out (closed once no call uses them). */
const MAX_VALIDATORS = 32;

/** A discovery key source shared by every config naming its address. */
interface SharedSource {
  readonly source: DiscoveryKeySource;
  users: number;
}

interface Entry {
  validator?: JwtAccessTokenValidator;
  pending?: Promise<JwtAccessTokenValidator>;
  /** The discovery address whose shared source this entry holds. */
  address?: string;
  /** Calls using the entry now: it is closed only when none is. */
  active: number;
  retired: boolean;
}

const entries = new Map<string, Entry>();
const sources = new Map<string, SharedSource>();

/**
 * Same data → same key: a config rebuilt on every call shares one validator and its caches. Functions and
 * clients (`claimsValidator`, `logger`, `httpClient`) are not part of it — written inline they are new on
 * every call — so `claimsValidator` runs per call outside the cached validator, and the logger and HTTP
 * client of the first call for a discovery address serve that address.
 */
function keyOf(config: TokenValidationConfig, discoAddress: string | undefined): string {
  const { claimsValidator: _c, httpClient: _h, logger: _l, ...data } = config;
  return JSON.stringify([data, discoAddress ?? null]);
}

function fail(message: string): never {
  throw new ConfigurationError(`validateToken: ${message}`);
}

function toOptions(config: TokenValidationConfig): {
  options: Omit<TokenValidatorOptions, 'issuer'> & { issuer?: TokenValidatorOptions['issuer'] };
  checkIssuer: boolean;
  checkNbf: boolean;
  checkIat: boolean;
} {
  const o = config.options ?? {};
  if (o.verifySignature === false)
    fail('verifySignature: false is not supported: an unverified token proves nothing');
  if (o.verifyExp === false || o.requireExp === false) {
    fail('verifyExp/requireExp: false are not supported: access tokens must expire (RFC 9068)');
  }
  const required: string[] = [];
  if (o.requireAud) required.push('aud');
  if (o.requireNbf) required.push('nbf');
  if (o.requireIss) required.push('iss');
  if (o.requireSub) required.push('sub');
  if (o.requireJti) required.push('jti');
  let audience: TokenValidatorOptions['audience'];
  if (o.verifyAud === false) audience = false;
  else if (config.audience === undefined) fail('audience is required (or set options.verifyAud: false)');
  else audience = config.audience;
  return {
    options: {
      audience,
      ...(config.algorithms === undefined ? {} : { algorithms: config.algorithms }),
      ...(o.leeway === undefined ? {} : { clockTolerance: o.leeway }),
      ...(o.requireIat === undefined ? {} : { requireIat: o.requireIat }),
      ...(config.subject === undefined || o.verifySub === false ? {} : { subject: config.subject }),
      requiredClaims: required,
      httpClient: config.httpClient,
      logger: config.logger,
    },
    checkIssuer: o.verifyIss !== false,
    checkNbf: o.verifyNbf !== false,
    checkIat: o.verifyIat !== false,
  };
}

function acquireSource(address: string, config: TokenValidationConfig): DiscoveryKeySource {
  let shared = sources.get(address);
  if (shared === undefined) {
    shared = {
      source: new DiscoveryKeySource(address, {
        httpClient: config.httpClient,
        logger: config.logger ?? silentLogger,
      }),
      users: 0,
    };
    sources.set(address, shared);
  }
  shared.users++;
  return shared.source;
}

function releaseSource(address: string): void {
  const shared = sources.get(address);
  if (shared === undefined || --shared.users > 0) return;
  sources.delete(address);
  void shared.source.close();
}

async function build(config: TokenValidationConfig, discoAddress: string | undefined, entry: Entry) {
  const { options, checkIssuer, checkNbf, checkIat } = toOptions(config);
  const seed = { checkIssuer, checkNbf, checkIat };
  if (!config.performDisco) {
    if (config.key === undefined) fail('without performDisco, give key (a JWK or a JWK Set)');
    const jwks =
      'keys' in config.key && Array.isArray(config.key.keys)
        ? (config.key as { keys: JWK[] })
        : { keys: [config.key as JWK] };
    if (checkIssuer && config.issuer === undefined)
      fail('issuer is required without discovery (or set options.verifyIss: false)');
    return new JwtAccessTokenValidator(
      resolveOptions({ ...options, issuer: config.issuer as string, keys: jwks }, seed),
    );
  }
  if (discoAddress === undefined || discoAddress === '') fail('performDisco needs discoAddress');
  // Held across failed builds so the discovery cache's failure backoff applies to retries.
  if (entry.address === undefined) {
    acquireSource(discoAddress, config);
    entry.address = discoAddress;
  }
  const source = sources.get(discoAddress)!.source;
  let issuer = config.issuer;
  if (issuer === undefined && checkIssuer) {
    const doc = await source.document();
    if (!doc.isSuccessful || doc.issuer === undefined) {
      throw new TokenValidationError('keys_unavailable', `discovery failed: ${doc.error ?? 'no issuer'}`, {
        cause: doc.cause ?? doc,
        retryAfter: doc.retryAfter ?? 5,
      });
    }
    issuer = doc.issuer;
  }
  return new JwtAccessTokenValidator(
    resolveOptions({ ...options, issuer: issuer as string, keySource: source }, seed),
  );
}

/** Out of the map; closed now if idle, else by the last call using it. */
function retire(key: string, entry: Entry): void {
  if (entries.get(key) === entry) entries.delete(key);
  entry.retired = true;
  if (entry.active === 0) dispose(entry);
}

function dispose(entry: Entry): void {
  void entry.validator?.close();
  entry.validator = undefined;
  if (entry.address !== undefined) releaseSource(entry.address);
  entry.address = undefined;
}

function entryFor(key: string): Entry {
  let entry = entries.get(key);
  if (entry === undefined) {
    if (entries.size >= MAX_VALIDATORS) {
      const [oldestKey, oldest] = entries.entries().next().value!;
      retire(oldestKey, oldest);
    }
    entry = { active: 0, retired: false };
    entries.set(key, entry);
  } else if (entries.size > 1) {
    entries.delete(key);
    entries.set(key, entry);
  }
  return entry;
}

function validatorOf(
  key: string,
  entry: Entry,
  config: TokenValidationConfig,
  discoAddress: string | undefined,
): Promise<JwtAccessTokenValidator> {
  if (entry.validator !== undefined) return Promise.resolve(entry.validator);
  entry.pending ??= build(config, discoAddress, entry).then(
    (v) => {
      entry.validator = v;
      entry.pending = undefined;
      return v;
    },
    (error: unknown) => {
      // Nothing failed is kept: the next call builds again (discovery has its own failure backoff).
      entry.pending = undefined;
      if (error instanceof ConfigurationError) retire(key, entry);
      throw error;
    },
  );
  return entry.pending;
}

/** The seed's `claimsValidator`: false or a throw refuses the token. */
async function runClaimsValidator(
  check: NonNullable<TokenValidationConfig['claimsValidator']>,
  claims: JwtClaims,
): Promise<void> {
  let verdict: boolean | undefined;
  try {
    verdict = await check(claims);
  } catch (cause) {
    throw new TokenValidationError('claim_invalid', 'claimsValidator failed', { cause });
  }
  if (verdict === false)
    throw new TokenValidationError('claim_invalid', 'claims not accepted by claimsValidator');
}

/**
 * The seed's `validate_token(jwt, config, disco_address)`: resolves with the token's claims or rejects with
 * `TokenValidationError` (`ConfigurationError` for a config that cannot work). Calls with configs of the same
 * data share one validator, and every config naming a discovery address shares its one key source, so
 * discovery, key set and verified-token caches are reused: after the first call, validating makes no
 * network request until the provider's keys change.
 */
export async function validateToken(
  jwt: string,
  config: TokenValidationConfig,
  discoAddress?: string,
): Promise<JwtClaims> {
  if (typeof config !== 'object' || config === null) fail('config is required');
  // Keyed by content, not identity: a config mutated between calls gets the validator it now describes.
  const key = keyOf(config, discoAddress);
  const entry = entryFor(key);
  entry.active++;
  try {
    const validator = await validatorOf(key, entry, config, discoAddress);
    const { claims } = await validator.validate(jwt);
    if (config.claimsValidator !== undefined) await runClaimsValidator(config.claimsValidator, claims);
    return claims;
  } finally {
    entry.active--;
    if (entry.retired && entry.active === 0) dispose(entry);
  }
}

/** Closes every validator `validateToken` keeps (for tests and graceful shutdown). */
export async function closeValidateTokenCache(): Promise<void> {
  const all = [...entries.values()];
  const shared = [...sources.values()];
  entries.clear();
  sources.clear();
  for (const entry of all) entry.address = undefined;
  await Promise.allSettled([...all.map((e) => e.validator?.close()), ...shared.map((s) => s.source.close())]);
}
