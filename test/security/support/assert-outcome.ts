/** Checks an HTTP answer against RFC 6750: status, WWW-Authenticate challenge and JSON body agree. */
import assert from 'node:assert/strict';
import type { Outcome } from './attack-context.js';
import type { RawResponse } from './raw-http.js';

/** Which of the acceptable outcomes the response is; fails with a readable message when none. */
export function assertOutcome(res: RawResponse, expected: Outcome[], label: string): Outcome {
  const challenge = res.headers['www-authenticate'];
  const bodyError = typeof res.json?.error === 'string' ? res.json.error : undefined;
  const seenError = challenge ? (/error="([^"]*)"/.exec(challenge)?.[1] ?? null) : null;
  const match = expected.find((o) => o.status === res.status && (o.status === 431 || o.error === seenError));
  assert.ok(
    match,
    `${label}: got ${res.status} error=${seenError} (body ${res.body.slice(0, 160)}), ` +
      `expected one of ${expected.map((o) => `${o.status} ${o.error}`).join(' | ')}`,
  );
  if (match.status === 431) return match;
  assert.ok(
    challenge?.startsWith('Bearer'),
    `${label}: WWW-Authenticate must be a Bearer challenge, got ${challenge}`,
  );
  assert.ok(challenge);
  if (match.error === null) {
    assert.doesNotMatch(challenge, /error=/, `${label}: a request without credentials gets no error code`);
  } else {
    assert.equal(bodyError, match.error, `${label}: the JSON body must carry the same error`);
    if (match.error === 'insufficient_scope')
      assert.match(challenge, /scope="admin"/, `${label}: scope= missing`);
  }
  return match;
}

/** A response never echoes what the client sent as a token. */
export function assertNoEcho(res: RawResponse, token: string, label: string): void {
  const text = `${JSON.stringify(res.headers)}${res.body}`;
  for (const part of token.split('.')) {
    if (part.length >= 16) assert.ok(!text.includes(part), `${label}: the response echoes part of the token`);
  }
}
