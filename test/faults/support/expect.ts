/** Helpers for fault tests: run a validation, expect a typed refusal, and walk an error's cause chain. */
import assert from 'node:assert/strict';
import {
  TokenValidationError,
  type TokenValidationErrorCode,
  type TokenValidator,
} from '@identity-model/core';

export function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  while (current !== undefined && chain.length < 10) {
    chain.push(current);
    current = current instanceof Error ? current.cause : undefined;
  }
  return chain;
}

/** The `code` members along the cause chain (e.g. keys_unavailable → http_timeout). */
export function codesOf(error: unknown): string[] {
  return causeChain(error)
    .map((e) => (e as { code?: unknown }).code)
    .filter((c): c is string => typeof c === 'string');
}

export async function refusal(
  validator: TokenValidator,
  token: string,
  code: TokenValidationErrorCode,
): Promise<{ error: TokenValidationError; ms: number }> {
  const started = Date.now();
  try {
    await validator.validate(token);
  } catch (error) {
    assert.ok(error instanceof TokenValidationError, `untyped failure: ${String(error)}`);
    assert.equal(
      error.code,
      code,
      `expected ${code}, got ${error.code}: ${error.message} (${codesOf(error).join(' → ')})`,
    );
    return { error, ms: Date.now() - started };
  }
  assert.fail(`expected ${code}, but the token was accepted`);
}
