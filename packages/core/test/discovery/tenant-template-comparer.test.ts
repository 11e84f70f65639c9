import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tenantTemplateIssuerComparer as matches } from '../../src/discovery/index.js';

const ENTRA = 'https://login.microsoftonline.com/{tenantid}/v2.0';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

/** Milliseconds `fn` takes (the mean of a few runs would hide nothing: the old code took seconds once). */
function timed(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

describe('tenantTemplateIssuerComparer', () => {
  test('the Entra template matches its tenant, with or without the trailing slash', () => {
    assert.equal(matches(`https://login.microsoftonline.com/${TENANT}/v2.0`, ENTRA), true);
    assert.equal(matches(`https://login.microsoftonline.com/${TENANT}/v2.0/`, ENTRA), true);
    assert.equal(matches('https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0', ENTRA), true);
    assert.equal(matches(`https://sts.windows.net/${TENANT}/`, 'https://sts.windows.net/{tenantid}/'), true);
  });

  test('another host, path or version is refused', () => {
    for (const expected of [
      `https://login.evil.example/${TENANT}/v2.0`,
      `https://login.microsoftonline.com.evil.example/${TENANT}/v2.0`,
      `http://login.microsoftonline.com/${TENANT}/v2.0`,
      `https://login.microsoftonline.com/${TENANT}/v1.0`,
      `https://login.microsoftonline.com/${TENANT}`,
      `https://login.microsoftonline.com/${TENANT}/v2.0/extra`,
      `https://login.microsoftonline.com/x/${TENANT}/v2.0`,
    ]) {
      assert.equal(matches(expected, ENTRA), false, expected);
    }
  });

  test('tenant confusion: a tenant value with /, dot segments, percent-encoding or nothing is refused', () => {
    for (const tenant of [
      'good/evil',
      'good/../evil',
      '..',
      '.',
      '%2e%2e',
      'good%2fevil',
      '',
      'a\\b',
      '{tenantid}',
      'a?b',
    ]) {
      assert.equal(matches(`https://login.microsoftonline.com/${tenant}/v2.0`, ENTRA), false, tenant);
    }
  });

  test('the host is never a placeholder: a template {…} host matches nothing but itself', () => {
    assert.equal(matches('https://evil.example/v2.0', 'https://{host}/v2.0'), false);
    assert.equal(matches('https://{host}/v2.0', 'https://{host}/v2.0'), true);
  });

  test('a template without placeholders is compared like the default comparer', () => {
    assert.equal(matches('https://idp.example/a', 'https://idp.example/a/'), true);
    assert.equal(matches('https://idp.example/a', 'https://idp.example/b'), false);
  });

  test('ReDoS: a hostile template with many adjacent placeholders is decided at once, not in seconds', () => {
    // The regex built from this template backtracked through every split of the 36 characters (30 s here).
    const template = `https://idp.example/${'{t}'.repeat(12)}!`;
    const expected = `https://idp.example/${'a'.repeat(36)}`;
    let result: boolean | undefined;
    const ms = timed(() => {
      result = matches(expected, template);
    });
    assert.equal(result, false);
    assert.ok(ms < 50, `took ${ms.toFixed(1)} ms`);
  });

  // A guard on scale, not on the old regex (linear on this input): quadratic work on 1 MiB would take minutes.
  test('ReDoS: a template as large as a discovery document (1 MiB) is decided in linear time', () => {
    const count = 120_000;
    const template = `https://idp.example/${Array.from({ length: count }, () => '{tenant}').join('/')}/!`;
    const expected = `https://idp.example/${Array.from({ length: count }, () => 'a').join('/')}/?`;
    assert.ok(template.length > 1_000_000);
    let result: boolean | undefined;
    const ms = timed(() => {
      result = matches(expected, template);
    });
    assert.equal(result, false);
    assert.ok(ms < 1_000, `took ${ms.toFixed(1)} ms`);
  });
});
