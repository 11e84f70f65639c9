import { introspectionChannel } from '../diagnostics.js';
import { TokenValidationError } from '../errors.js';
import type { ValidatedToken } from '../validation/types.js';

/** Set by the validator when a verdict came from its cache or its store. */
export interface CacheUse {
  cached: boolean;
}

/** Publishes the outcome of one validation on `identity-model:introspection` (called only with a subscriber). */
export function observeIntrospection(
  validate: (token: string, use: CacheUse) => Promise<ValidatedToken>,
  token: string,
): Promise<ValidatedToken> {
  const started = performance.now();
  const use: CacheUse = { cached: false };
  return validate(token, use).then(
    (result) => {
      introspectionChannel.publish({
        outcome: 'active',
        cached: use.cached,
        durationMs: performance.now() - started,
      });
      return result;
    },
    (error: unknown) => {
      if (error instanceof TokenValidationError) {
        introspectionChannel.publish({
          outcome: error.code === 'keys_unavailable' ? 'error' : 'inactive',
          code: error.code,
          cached: use.cached,
          durationMs: performance.now() - started,
        });
      }
      throw error;
    },
  );
}
