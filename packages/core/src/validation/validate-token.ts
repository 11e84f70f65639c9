import type { JWK } from 'jose';
import { ConfigurationError, TokenValidationError } from '../errors.js';
import type { HttpClient } from '../http/types.js';
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
  /** Not in the seed: tuning shared with `createTokenValidator`. */
  httpClient?: HttpClient;
  logger?: Logger;
}

interface Entry {
  validator?: JwtAccessTokenValidator;
  pending?: Promise<JwtAccessTokenValidator>;
  owned?: DiscoveryKeySource;
}

/** Validators kept for repeated calls (least recently used out, and closed). */
const MAX_VALIDATORS = 32;
const entries = new Map<string, Entry>();
const functionIds = new WeakMap<object, number>();
let nextFunctionId = 1;

function idOf(value: object | undefined): number {
  if (value === undefined) return 0;
  let id = functionIds.get(value);
  if (id === undefined) {
    id = nextFunctionId++;
    functionIds.set(value, id);
  }
  return id;
}

/** Same shape → same key: a config rebuilt on every call still shares one validator and its caches. */
function keyOf(config: TokenValidationConfig, discoAddress: string | undefined): string {
  const { claimsValidator, httpClient, logger, ...data } = config;
  return JSON.stringify([data, discoAddress ?? null, idOf(claimsValidator), idOf(httpClient), idOf(logger)]);
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

async function build(config: TokenValidationConfig, discoAddress: string | undefined, entry: Entry) {
  const { options, checkIssuer, checkNbf, checkIat } = toOptions(config);
  const seed = { checkIssuer, checkNbf, checkIat, claimsValidator: config.claimsValidator };
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
  // Kept across failed builds so the discovery cache's failure backoff applies to retries.
  entry.owned ??= new DiscoveryKeySource(discoAddress, {
    httpClient: config.httpClient,
    logger: options.logger ?? silentLogger,
  });
  const source = entry.owned;
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

function evictOldest(): void {
  const oldest = entries.entries().next();
  if (oldest.done) return;
  const [key, entry] = oldest.value;
  entries.delete(key);
  void entry.validator?.close();
  void entry.owned?.close();
}

/**
 * The seed's `validate_token(jwt, config, disco_address)`: resolves with the token's claims or rejects with
 * `TokenValidationError` (`ConfigurationError` for a config that cannot work). Calls with configs of the same
 * shape share one validator, so discovery, key set and verified-token caches are reused: after the first
 * call, validating makes no network request until the provider's keys change.
 */
export async function validateToken(
  jwt: string,
  config: TokenValidationConfig,
  discoAddress?: string,
): Promise<JwtClaims> {
  if (typeof config !== 'object' || config === null) fail('config is required');
  // Keyed by content, not identity: a config mutated between calls gets the validator it now describes.
  const key = keyOf(config, discoAddress);
  let entry = entries.get(key);
  if (entry === undefined) {
    if (entries.size >= MAX_VALIDATORS) evictOldest();
    entry = {};
    entries.set(key, entry);
  } else if (entries.size > 1) {
    entries.delete(key);
    entries.set(key, entry);
  }
  let validator = entry.validator;
  if (validator === undefined) {
    const e = entry;
    e.pending ??= build(config, discoAddress, e).then(
      (v) => {
        e.validator = v;
        e.pending = undefined;
        return v;
      },
      (error: unknown) => {
        // Nothing failed is kept: the next call builds again (discovery has its own failure backoff).
        e.pending = undefined;
        if (error instanceof ConfigurationError) entries.delete(key);
        throw error;
      },
    );
    validator = await e.pending;
  }
  return (await validator.validate(jwt)).claims;
}

/** Closes every validator `validateToken` keeps (for tests and graceful shutdown). */
export async function closeValidateTokenCache(): Promise<void> {
  const all = [...entries.values()];
  entries.clear();
  await Promise.allSettled(all.flatMap((e) => [e.validator?.close(), e.owned?.close()]));
}
