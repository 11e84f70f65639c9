// A node:test reporter that prints only the final `N passed, N failed` line CI reads.
// Suites and file wrappers are not counted: only leaf tests.
// Tests skipped because an identity provider is not installed (test/support/providers-available.ts gives
// them a `provider missing: NAME (apt package PKG): …` reason) get a line of their own just before it,
// with the command that installs what is missing.
const PROVIDER_SKIP = /^provider missing: (\S+) \(apt package (\S+)\)/;

export default async function* countReporter(source) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  let providerSkipped = 0;
  const missing = new Map();
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const details = event.data.details ?? {};
    if (details.type === 'suite') continue;
    if (event.data.skip || event.data.todo) {
      skipped++;
      const provider = typeof event.data.skip === 'string' ? PROVIDER_SKIP.exec(event.data.skip) : null;
      if (provider) {
        providerSkipped++;
        missing.set(provider[1], provider[2]);
      }
      continue;
    }
    if (event.type === 'test:pass') passed++;
    else failed++;
  }
  if (providerSkipped) {
    const names = [...missing.keys()].join(', ');
    const packages = [...missing.values()].join(' ');
    yield `provider tests skipped: ${providerSkipped} (${names} not installed); install with: apt-get install -y ${packages}\n`;
  }
  yield `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`;
}
