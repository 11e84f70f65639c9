import { tokenCacheHitChannel, tokenRequestChannel } from '../diagnostics.js';
import type { TokenResponse } from '../token/token-response.js';

/** Publishes a token request's answer on `identity-model:token-manager:request`; `started` is epoch ms. */
export function publishTokenRequest(
  clientId: string,
  cacheKey: string,
  response: TokenResponse,
  started: number,
): void {
  if (!tokenRequestChannel.hasSubscribers) return;
  tokenRequestChannel.publish({
    clientId,
    cacheKey,
    outcome: response.isSuccessful ? 'ok' : 'error',
    ...(response.isSuccessful ? {} : { code: 'token_request_failed' as const }),
    ...(response.httpStatus === undefined ? {} : { status: response.httpStatus }),
    durationMs: Date.now() - started,
  });
}

/** Publishes a token served without a request on `identity-model:token-manager:cache-hit`. */
export function publishTokenCacheHit(clientId: string, cacheKey: string, source: 'memory' | 'store'): void {
  if (tokenCacheHitChannel.hasSubscribers) tokenCacheHitChannel.publish({ clientId, cacheKey, source });
}
