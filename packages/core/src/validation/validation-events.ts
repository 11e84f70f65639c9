import { isUtf8 } from 'node:buffer';
import { validationChannel } from '../diagnostics.js';
import { TokenValidationError } from '../errors.js';
import { decodeCanonicalBase64url } from './base64url.js';
import type { ResolvedOptions } from './resolve-options.js';
import { parseJsonObject } from './safe-json.js';
import type { ValidatedToken } from './types.js';

/**
 * The `iss` a refused token claims, when it is one the validator accepts; undefined otherwise (an attacker's
 * value never reaches a subscriber). Decoded again here, only when someone subscribes and a token failed.
 */
function claimedIssuer(token: string, options: ResolvedOptions): string | undefined {
  if (!options.checkIssuer || typeof token !== 'string' || token.length > options.maxTokenLength) return;
  const d1 = token.indexOf('.');
  const d2 = d1 < 0 ? -1 : token.indexOf('.', d1 + 1);
  if (d1 <= 0 || d2 <= d1 + 1) return;
  const bytes = decodeCanonicalBase64url(token, d1 + 1, d2);
  if (bytes === undefined || !isUtf8(bytes)) return;
  const parsed = parseJsonObject(bytes.toString('utf8'), false);
  const iss = parsed.ok ? parsed.value.iss : undefined;
  return typeof iss === 'string' && options.issuerAllowed(iss) ? iss : undefined;
}

/** Publishes the outcome of one validation on `identity-model:validation` (called only with a subscriber). */
export function observeValidation(
  validate: (token: string) => Promise<ValidatedToken>,
  token: string,
  options: ResolvedOptions,
): Promise<ValidatedToken> {
  const started = performance.now();
  return validate(token).then(
    (result) => {
      const iss = result.claims.iss;
      validationChannel.publish({
        outcome: 'ok',
        ...(typeof iss === 'string' ? { issuer: iss } : {}),
        durationMs: performance.now() - started,
      });
      return result;
    },
    (error: unknown) => {
      const durationMs = performance.now() - started;
      if (error instanceof TokenValidationError) {
        const issuer = claimedIssuer(token, options);
        validationChannel.publish({
          outcome: 'error',
          code: error.code,
          ...(issuer === undefined ? {} : { issuer }),
          durationMs,
        });
      }
      throw error;
    },
  );
}
