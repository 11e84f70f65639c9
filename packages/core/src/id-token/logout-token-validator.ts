import { ConfigurationError, IdentityModelError, TokenValidationError } from '../errors.js';
import { SignedResponseVerifier } from '../protocol/signed-response.js';
import { MemoryReplayStore } from '../replay/memory-replay-store.js';
import type { ReplayStore } from '../replay/replay-store.js';
import type { JwtClaims, JwtHeader } from '../validation/types.js';
import { type ProviderTokenOptions, resolveTokenKeys } from './token-keys.js';

/** The `events` member that makes a JWT a back-channel logout token (OIDC Back-Channel Logout 1.0 §2.4). */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

export interface LogoutTokenValidatorOptions extends ProviderTokenOptions {
  /**
   * Where seen `jti` values are kept for `iatWindow`. Default: one bounded in-memory store shared by the
   * process. Give a shared store (Redis) when several replicas receive logout tokens.
   */
  replayStore?: ReplayStore;
  /** Seconds after `iat` past which a logout token is refused (and its `jti` forgotten). Default 120. */
  iatWindow?: number;
}

/** A validated logout token: whom to log out (`sub`, `sid`, or both) and its frozen claims. */
export interface ValidatedLogoutToken {
  readonly sub: string | undefined;
  readonly sid: string | undefined;
  readonly header: Readonly<JwtHeader>;
  readonly claims: Readonly<JwtClaims>;
}

const WHAT = 'createLogoutTokenValidator';
export const DEFAULT_IAT_WINDOW_SECONDS = 120;
/** Longest `jti`, `sub` or `sid` accepted (characters): each is a key in the replay store or the session map. */
const MAX_IDENTIFIER_LENGTH = 1024;

let processStore: MemoryReplayStore | undefined;

/** The store every validator without a `replayStore` shares, so the one-call form catches replays too. */
function processReplayStore(): MemoryReplayStore {
  processStore ??= new MemoryReplayStore();
  return processStore;
}

function refuse(code: TokenValidationError['code'], message: string): never {
  throw new TokenValidationError(code, message);
}

function identifier(claims: JwtClaims, name: 'sub' | 'sid' | 'jti'): string | undefined {
  const value = claims[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '' || value.length > MAX_IDENTIFIER_LENGTH) {
    refuse(
      'claim_invalid',
      `${name} must be a non-empty string of at most ${MAX_IDENTIFIER_LENGTH} characters`,
    );
  }
  return value;
}

/**
 * Validates back-channel logout tokens (OIDC Back-Channel Logout 1.0 §2.6) on the hardened JWS path:
 * `typ` `logout+jwt` (or `JWT`, or absent), `iss` exact, `aud` containing our client, `iat` within
 * `iatWindow`, `exp` honoured when present, `events` holding the back-channel logout member as an object,
 * `sid` or `sub`, no `nonce` (an ID token is not a logout token), and a `jti` never seen before.
 */
export class LogoutTokenValidator {
  readonly #verifier: SignedResponseVerifier;
  readonly #store: ReplayStore;
  readonly #issuer: string;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #close: () => Promise<void>;

  constructor(options: LogoutTokenValidatorOptions) {
    const { keySource, owned } = resolveTokenKeys(options, WHAT);
    const closeKeys = owned ? () => keySource.close() : async () => {};
    const window = options.iatWindow ?? DEFAULT_IAT_WINDOW_SECONDS;
    const store = options.replayStore;
    try {
      if (!Number.isFinite(window) || window < 1 || window > 86_400) {
        throw new ConfigurationError(`${WHAT}: iatWindow must be a number of seconds between 1 and 86400`);
      }
      if (store !== undefined && typeof store?.setIfAbsent !== 'function') {
        throw new ConfigurationError(`${WHAT}: replayStore must implement setIfAbsent(key, ttlMs)`);
      }
      this.#verifier = new SignedResponseVerifier({
        issuer: options.issuer,
        audience: options.clientId,
        typ: ['logout+jwt', 'JWT'],
        allowAbsentTyp: true,
        keySource,
        requiredClaims: ['iss', 'aud', 'iat', 'jti', 'events'],
        maxAge: window,
        ...(options.algorithms === undefined ? {} : { algorithms: options.algorithms }),
        ...(options.clockTolerance === undefined ? {} : { clockTolerance: options.clockTolerance }),
        ...(options.now === undefined ? {} : { now: options.now }),
      });
    } catch (cause) {
      void closeKeys().catch(() => {});
      if (!(cause instanceof ConfigurationError)) throw cause;
      throw new ConfigurationError(cause.message.replace(/^signed response/, WHAT), { cause });
    }
    this.#store = store ?? processReplayStore();
    this.#issuer = options.issuer;
    // A jti is remembered as long as its token could still pass the iat check (window + skew, both sides).
    this.#windowMs = (window + 2 * (options.clockTolerance ?? 5)) * 1000;
    this.#now = options.now ?? Date.now;
    this.#close = closeKeys;
  }

  /** Resolves with whom to log out, or rejects with `TokenValidationError` naming the failed rule. */
  async validate(logoutToken: string): Promise<ValidatedLogoutToken> {
    const { header, claims } = await this.#verifier.verify(logoutToken);
    const events = claims.events;
    if (typeof events !== 'object' || events === null || Array.isArray(events)) {
      refuse('events_invalid', 'events must be a JSON object');
    }
    const member = (events as Record<string, unknown>)[BACKCHANNEL_LOGOUT_EVENT];
    if (!Object.hasOwn(events, BACKCHANNEL_LOGOUT_EVENT)) {
      refuse('events_invalid', 'events lacks the back-channel logout member');
    }
    if (typeof member !== 'object' || member === null || Array.isArray(member)) {
      refuse('events_invalid', 'the back-channel logout event must be a JSON object');
    }
    if (Object.hasOwn(claims, 'nonce')) refuse('claim_invalid', 'a logout token must not carry a nonce');
    const sub = identifier(claims, 'sub');
    const sid = identifier(claims, 'sid');
    if (sub === undefined && sid === undefined) refuse('claim_missing', 'a logout token needs sid or sub');
    const jti = identifier(claims, 'jti')!;
    await this.#remember(jti, claims.iat!);
    return Object.freeze({ sub, sid, header, claims });
  }

  async close(): Promise<void> {
    await this.#close();
  }

  /** Last: only a token that passed every other rule takes a place in the store. */
  async #remember(jti: string, iat: number): Promise<void> {
    const ttlMs = Math.max(1000, iat * 1000 + this.#windowMs - this.#now());
    let fresh: boolean;
    try {
      fresh = await this.#store.setIfAbsent(`logout-jti:${this.#issuer}\u0000${jti}`, ttlMs);
    } catch (cause) {
      // Unable to tell a replay from a first use: the caller answers "try again", never "accepted".
      const reason = cause instanceof IdentityModelError ? cause.code : 'store error';
      throw new TokenValidationError(
        'keys_unavailable',
        `the replay store could not record jti (${reason})`,
        {
          cause,
        },
      );
    }
    if (!fresh) refuse('token_replayed', 'this logout token (jti) was already received');
  }
}

/** Builds a `LogoutTokenValidator`: options are checked now (`ConfigurationError`). */
export function createLogoutTokenValidator(options: LogoutTokenValidatorOptions): LogoutTokenValidator {
  return new LogoutTokenValidator(options);
}

/**
 * One call: builds a validator, validates `logoutToken`, closes it. Replays are still caught: without a
 * `replayStore` every call shares the process's in-memory store.
 */
export async function validateLogoutToken(
  logoutToken: string,
  options: LogoutTokenValidatorOptions,
): Promise<ValidatedLogoutToken> {
  const validator = new LogoutTokenValidator(options);
  try {
    return await validator.validate(logoutToken);
  } finally {
    await validator.close();
  }
}
