// A node:test reporter that prints only the final `N passed, N failed` line CI reads.
// Suites and file wrappers are not counted: only leaf tests.
export default async function* countReporter(source) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const details = event.data.details ?? {};
    if (details.type === 'suite') continue;
    if (event.data.skip || event.data.todo) {
      skipped++;
      continue;
    }
    if (event.type === 'test:pass') passed++;
    else failed++;
  }
  yield `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`;
}
