/**
 * A provider's `Retry-After` and `Cache-Control` are numbers from outside: each is clamped where it enters,
 * so nothing downstream sees Infinity, a year-9999 wait or a date parsed out of garbage.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { HttpError } from '../../src/errors.js';
import { cacheLifetimeMs } from '../../src/http/cache-control.js';
import { createHttpClient } from '../../src/http/index.js';
import {
  clampRetryAfterSeconds,
  MAX_PROVIDER_RETRY_AFTER_SECONDS,
  parseRetryAfter,
} from '../../src/http/retry.js';
import { type LocalServer, sendJson, startServer } from './local-server.js';

const DAY_MS = 86_400_000;
const FOUR_HUNDRED_DIGITS = '9'.repeat(400);
const YEAR_9999 = 'Fri, 31 Dec 9999 23:59:59 GMT';

const servers: LocalServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function answering503(retryAfter: string): Promise<LocalServer> {
  const server = await startServer((_req, res) => sendJson(res, 503, {}, { 'retry-after': retryAfter }));
  servers.push(server);
  return server;
}

async function failure(retryAfter: string): Promise<{ error: HttpError; requests: number }> {
  const server = await answering503(retryAfter);
  const http = createHttpClient({ env: {}, retryCount: 3, retryBaseDelayMs: 1, timeoutMs: 5_000 });
  try {
    await http.request({ url: server.url });
  } catch (error) {
    assert.ok(error instanceof HttpError, String(error));
    return { error, requests: server.count };
  } finally {
    await http.close();
  }
  assert.fail('expected an HttpError');
}

describe('Retry-After from a provider is clamped where it enters', () => {
  test('the ceiling is documented as 24 hours', () => {
    assert.equal(MAX_PROVIDER_RETRY_AFTER_SECONDS, 86_400);
  });

  test('a 400-digit delta-seconds is 24 h, not Infinity', () => {
    assert.equal(parseRetryAfter(FOUR_HUNDRED_DIGITS), DAY_MS);
  });

  test('a year-9999 HTTP date is 24 h, not 251606140034 s', () => {
    assert.equal(parseRetryAfter(YEAR_9999), DAY_MS);
  });

  test('ordinary values pass unchanged: seconds and the three HTTP-date forms of RFC 9110', () => {
    const now = Date.parse('Sun, 06 Nov 1994 08:49:00 GMT');
    assert.equal(parseRetryAfter('120', now), 120_000);
    assert.equal(parseRetryAfter(' 007 ', now), 7_000);
    assert.equal(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', now), 37_000);
    assert.equal(parseRetryAfter('Sunday, 06-Nov-94 08:49:37 GMT', now), 37_000);
    assert.equal(parseRetryAfter('Sun Nov  6 08:49:37 1994', now), 37_000);
  });

  test('a date in the past means now (0), never a negative wait', () => {
    assert.equal(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT'), 0);
  });

  for (const garbage of ['-5', '-1', '1.5', '1e3', 'abc 2', 'Infinity', 'NaN', '', '5, 10', 'soon']) {
    test(`a negative, fractional or garbage Retry-After (${JSON.stringify(garbage)}) is ignored`, () => {
      assert.equal(parseRetryAfter(garbage), undefined);
    });
  }

  test('a carried retryAfter is a whole number of seconds in [0, 24 h]; anything else is dropped', () => {
    assert.equal(clampRetryAfterSeconds(12.2), 13);
    assert.equal(clampRetryAfterSeconds(Number.POSITIVE_INFINITY), 86_400);
    assert.equal(clampRetryAfterSeconds(1e308), 86_400);
    assert.equal(clampRetryAfterSeconds(0), 0);
    assert.equal(clampRetryAfterSeconds(-1), undefined);
    assert.equal(clampRetryAfterSeconds(Number.NaN), undefined);
    assert.equal(clampRetryAfterSeconds('60'), undefined);
  });

  test('a 503 with a 400-digit Retry-After fails at once, carrying 86400 s, not Infinity', async () => {
    const { error, requests } = await failure(FOUR_HUNDRED_DIGITS);
    assert.equal(error.code, 'http_status');
    assert.equal(error.status, 503);
    assert.equal(error.retryAfter, 86_400);
    assert.equal(requests, 1, 'a pause longer than maxRetryDelayMs is not waited for');
  });

  test('a 503 with a year-9999 Retry-After fails at once, carrying 86400 s', async () => {
    const { error, requests } = await failure(YEAR_9999);
    assert.equal(error.retryAfter, 86_400);
    assert.equal(requests, 1);
  });

  test('a 503 with a negative Retry-After carries none and is retried with backoff', async () => {
    const { error, requests } = await failure('-5');
    assert.equal(error.retryAfter, undefined);
    assert.equal(requests, 4, 'the first attempt and three retries');
  });
});

describe('Cache-Control max-age from a provider is clamped', () => {
  test('a 400-digit max-age is the maximum lifetime, not Infinity', () => {
    assert.equal(cacheLifetimeMs(`max-age=${FOUR_HUNDRED_DIGITS}`, 600_000, 60_000, DAY_MS), DAY_MS);
    assert.equal(cacheLifetimeMs(`s-maxage=${FOUR_HUNDRED_DIGITS}`, 600_000, 60_000, DAY_MS), DAY_MS);
  });

  test('max-age=0 is the minimum; a negative or garbage max-age is the default', () => {
    assert.equal(cacheLifetimeMs('max-age=0', 600_000, 60_000, DAY_MS), 60_000);
    assert.equal(cacheLifetimeMs('max-age=-5', 600_000, 60_000, DAY_MS), 600_000);
    assert.equal(cacheLifetimeMs('max-age=abc', 600_000, 60_000, DAY_MS), 600_000);
  });
});
