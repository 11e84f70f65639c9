import { BearerError } from './bearer-error.js';
import type { ChallengeScheme, ChallengeSettings } from './challenge.js';
import type { SenderConstraintError } from './sender-constraint-error.js';

/** The `BearerError` answering a request refused for how its token was sent (the cause says which check). */
export function senderConstraintRefusal(
  code: 'invalid_token' | 'invalid_request',
  cause: SenderConstraintError | undefined,
  description: string,
  scheme: ChallengeScheme,
  challenge: ChallengeSettings,
): BearerError {
  return new BearerError(code, description, { scheme, challenge, cause });
}
