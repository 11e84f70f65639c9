/**
 * Property-based attacks on the Authorization header through Fastify, Express and Koa: whatever bytes a
 * client sends (scheme, separators, mutated tokens, Unicode, a second header), the API never grants access,
 * never answers 5xx (503 is the one documented exception, for unobtainable keys), never hangs, and every
 * refusal it makes itself is a consistent RFC 6750 answer.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { FRAMEWORKS, type RunningApp, startApp } from '../security/support/apps.js';
import { providerKeys } from '../security/support/key-options.js';
import { addProviderSecrets, createLogCapture } from '../security/support/log-capture.js';
import { type RawRequest, rawRequest } from '../security/support/raw-http.js';
import { startIdp, type TestIdp } from '../support/idp.js';
import { authorizationValue, FUZZ_RUNS } from './support/arbitraries.js';

describe('fuzzing the Authorization header through every adapter', () => {
  let idp: TestIdp;
  let genuine: string;
  const apps = new Map<string, RunningApp>();
  const statuses = new Map<number, number>();
  const logs = createLogCapture();

  before(async () => {
    idp = await startIdp();
    genuine = await idp.getToken({ scope: 'read' });
    logs.addSecret(genuine);
    addProviderSecrets(logs, idp);
    for (const framework of FRAMEWORKS) {
      const options = {
        issuer: idp.issuer,
        audience: idp.audience,
        logger: logs.logger,
        ...providerKeys(idp),
      };
      apps.set(framework, await startApp(framework, options));
    }
  });

  after(async () => {
    for (const app of apps.values()) await app.close();
    await idp?.close();
  });

  function isGenuineSpelling(value: string): boolean {
    const m = /^[ \t]*bearer +([^ \t]+)[ \t]*$/i.exec(value);
    return m !== null && m[1] === genuine;
  }

  function check(res: Awaited<ReturnType<typeof rawRequest>>, sent: string): void {
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    assert.ok(res.status !== 200, `access granted for ${JSON.stringify(sent.slice(0, 120))}`);
    assert.ok(
      res.status < 500 || res.status === 503,
      `server error ${res.status}: ${res.body.slice(0, 200)}`,
    );
    const challenge = res.headers['www-authenticate'];
    if (challenge !== undefined) {
      // Our refusal: the challenge and the body must tell the same story.
      const error = /error="([^"]*)"/.exec(challenge)?.[1];
      if (error !== undefined) assert.equal(res.json?.error, error);
      assert.equal(res.status, error === 'invalid_request' ? 400 : 401);
    } else {
      // Only Node's own HTTP parser may refuse without a challenge (bad bytes, headers too large).
      assert.ok([400, 431].includes(res.status), `status ${res.status} without a challenge`);
    }
  }

  for (const framework of FRAMEWORKS) {
    test(`${framework}: random Authorization values never grant access, never 5xx, never hang`, async () => {
      const app = apps.get(framework) as RunningApp;
      await fc.assert(
        fc.asyncProperty(authorizationValue(genuine), fc.boolean(), async (value, twice) => {
          // RFC 6750 §2.1 allows these spellings of the genuine credentials: the scheme in any case, one or more
          // spaces before the token, and optional whitespace around the field value (trimmed by the HTTP parser).
          if (isGenuineSpelling(value.toString('latin1'))) return;
          const headers: RawRequest['headers'] = [['authorization', value]];
          if (twice) headers.push(['authorization', `Bearer ${genuine}`]);
          check(await rawRequest(app.port, { path: '/api', headers }, 5000), value.toString('latin1'));
        }),
        { numRuns: Math.ceil(FUZZ_RUNS / 2) },
      );
    });
  }

  test('statuses seen across the run', (t) => {
    t.diagnostic(JSON.stringify(Object.fromEntries(statuses)));
    assert.ok(
      (statuses.get(400) ?? 0) > 0 && (statuses.get(401) ?? 0) > 0,
      'both malformed and bad tokens reached',
    );
  });

  test('no log line of the run holds the genuine token or key material', () => {
    assert.ok(logs.lines.length > 0, 'the capture is not wired');
    assert.deepEqual(logs.findLeaks(), []);
  });
});
