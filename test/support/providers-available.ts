/**
 * Whether the Debian-packaged identity providers (glewlwyd, django-oauth-toolkit) can run here, and the
 * `skip` value provider tests pass to node:test.
 *
 *   const skip = providerSkip('glewlwyd');        // a reason string, or false
 *   test('...', { skip }, async () => { ... });   // per test, so the runner counts every skipped test
 *
 * Off CI a missing provider skips its tests with a reason that scripts/count-reporter.mjs recognises (it
 * prints how many were skipped and the install command before the summary line). Under `CI=true` nothing
 * is skipped: the fixture's start fails and says what is missing, so a CI machine without the packages fails.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export type ProviderName = 'glewlwyd' | 'django-oauth-toolkit';

/** The Debian package that brings each provider (and everything its fixture runs). */
export const APT_PACKAGES: Readonly<Record<ProviderName, string>> = {
  glewlwyd: 'glewlwyd',
  'django-oauth-toolkit': 'python3-django-oauth-toolkit',
};

/** Debian's interpreter: the apt packages live in its dist-packages, not in a pyenv or venv python. */
export const SYSTEM_PYTHON = '/usr/bin/python3';
/** The sqlite schema glewlwyd's package ships (its server does not create one itself). */
export const GLEWLWYD_SCHEMA = '/usr/share/doc/glewlwyd/database/init.sqlite3.sql.gz';

/** Must stay in step with PROVIDER_SKIP in scripts/count-reporter.mjs, which parses it. */
const SKIP_PREFIX = 'provider missing:';

export function installCommand(
  names: readonly ProviderName[] = ['glewlwyd', 'django-oauth-toolkit'],
): string {
  return `apt-get install -y ${names.map((n) => APT_PACKAGES[n]).join(' ')}`;
}

/** The absolute path of an executable found on PATH, or undefined. */
export function findOnPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

function glewlwydProblem(): string | undefined {
  if (!findOnPath('glewlwyd')) return 'the glewlwyd binary is not on PATH';
  if (!findOnPath('sqlite3')) return 'the sqlite3 command is not on PATH';
  if (!existsSync(GLEWLWYD_SCHEMA))
    return `${GLEWLWYD_SCHEMA} is missing (is /usr/share/doc excluded by dpkg?)`;
  return undefined;
}

function djangoOAuthToolkitProblem(): string | undefined {
  if (!existsSync(SYSTEM_PYTHON)) return `${SYSTEM_PYTHON} is missing`;
  const probe = spawnSync(SYSTEM_PYTHON, ['-c', 'import django, oauth2_provider'], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  if (probe.status !== 0) return `${SYSTEM_PYTHON} cannot import django and oauth2_provider`;
  return undefined;
}

const problems = new Map<ProviderName, string | undefined>();

/** Why the provider cannot run on this machine (cached per process), or undefined when it can. */
export function providerProblem(name: ProviderName): string | undefined {
  if (!problems.has(name)) {
    problems.set(name, name === 'glewlwyd' ? glewlwydProblem() : djangoOAuthToolkitProblem());
  }
  return problems.get(name);
}

/** The message a fixture throws when its provider is missing: what, and the command that installs it. */
export function missingProviderMessage(name: ProviderName, problem: string): string {
  return `${name} cannot start: ${problem}; install it with \`${installCommand([name])}\` (as root)`;
}

/** The skip decision: a reason when `problem` is set and this is not CI (where a missing provider fails). */
export function skipFor(name: ProviderName, problem: string | undefined, ci: boolean): string | false {
  if (!problem || ci) return false;
  return `${SKIP_PREFIX} ${name} (apt package ${APT_PACKAGES[name]}): ${problem}`;
}

/** The node:test `skip` option for a test that needs `name`: a reason off CI when it is missing, else false. */
export function providerSkip(name: ProviderName): string | false {
  return skipFor(name, providerProblem(name), process.env.CI === 'true');
}
