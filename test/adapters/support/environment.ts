/**
 * For tests of the no-options form (`requireToken()`, `app.register(oidcAuth)`), which reads its issuer and
 * audience from `process.env` when it is built: set exactly the variables given (the shell's own never leak
 * in), build, and restore, whatever happens.
 */
import assert from 'node:assert/strict';
import { ConfigurationError } from '@identity-model/core';

const NAMES = ['OIDC_ISSUER', 'ISSUER_BASE_URL', 'OIDC_AUDIENCE', 'AUDIENCE'] as const;

export type OidcVariables = Partial<Record<(typeof NAMES)[number], string>>;

export async function withEnvironment<T>(variables: OidcVariables, build: () => T | Promise<T>): Promise<T> {
  const saved = NAMES.map((name) => [name, process.env[name]] as const);
  const assign = (name: string, value: string | undefined) => {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  };
  for (const name of NAMES) assign(name, variables[name]);
  try {
    return await build();
  } finally {
    for (const [name, value] of saved) assign(name, value);
  }
}

/** `error` is a ConfigurationError whose message names each of `names` and contains none of `secrets`. */
export function assertConfigurationError(
  error: unknown,
  names: readonly string[],
  secrets: readonly string[] = [],
) {
  assert.ok(error instanceof ConfigurationError, `expected a ConfigurationError, got ${String(error)}`);
  for (const name of names) assert.match(error.message, new RegExp(`\\b${name}\\b`), error.message);
  for (const secret of secrets) assert.ok(!error.message.includes(secret), 'the message repeats a secret');
}

/** Rejects with what `build` threw (sync or async); fails when it built. */
export async function buildError(build: () => unknown): Promise<unknown> {
  try {
    await build();
  } catch (error) {
    return error;
  }
  assert.fail('expected the build to fail');
}
