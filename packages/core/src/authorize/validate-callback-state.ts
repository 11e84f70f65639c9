import { ConfigurationError } from '../errors.js';
import { constantTimeEqual } from '../protocol/constant-time-equal.js';
import { AuthorizeCallbackError } from './authorize-callback-error.js';
import type { AuthorizeCallbackResponse } from './authorize-callback-response.js';

/**
 * Checks the callback's `state` against the one kept when the flow started (RFC 6749 §10.12: CSRF, a
 * response injected into another user's session). Compared in constant time over SHA-256 digests, so neither
 * content nor length leaks. Applies to error responses too. Throws `AuthorizeCallbackError`
 * (`state_missing`, `state_mismatch`); `ConfigurationError` when there is no expected state to compare with.
 */
export function validateAuthorizeCallbackState(
  response: AuthorizeCallbackResponse,
  expectedState: string,
): void {
  if (typeof expectedState !== 'string' || expectedState === '') {
    throw new ConfigurationError(
      'expectedState: the state kept when the authorization request was built is required',
    );
  }
  const state = response.state;
  if (state === undefined || state === '') {
    throw new AuthorizeCallbackError('state_missing', 'the authorization response carries no state');
  }
  if (!constantTimeEqual(state, expectedState)) {
    throw new AuthorizeCallbackError(
      'state_mismatch',
      'the authorization response state is not the one this flow sent',
    );
  }
}
