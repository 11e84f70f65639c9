/**
 * What a DPoP case expects, and the check of an answer against it: the exact status, the error on the
 * challenge of the right scheme (the `WWW-Authenticate` header parsed into its challenges, RFC 9110 §11.6.1),
 * no error on the other scheme's challenge, the same error in the JSON body, a `DPoP-Nonce` where RFC 9449 §9
 * asks for one, and `binding` on an accepted request.
 */
import assert from 'node:assert/strict';

export type ChallengeScheme = 'Bearer' | 'DPoP';

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** What came back, from an adapter over HTTP or from core's authenticator (which also knows the cause). */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  json: Record<string, unknown> | undefined;
  body: string;
  /** Core only: the `code` of the refusal's cause (`DPoPProofError`, `TokenValidationError`…). */
  cause?: string | undefined;
}

export interface DPoPExpect {
  status: 200 | 400 | 401 | 503;
  /** The scheme whose challenge carries the error (with no `error`: a bare challenge, no credentials). */
  scheme?: ChallengeScheme;
  error?: 'invalid_request' | 'invalid_token' | 'invalid_dpop_proof' | 'use_dpop_nonce';
  /** For 200: the binding the request was accepted with. */
  binding?: 'dpop' | 'mtls';
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/;

/** Parses a `WWW-Authenticate` value into challenges: `Bearer realm="a", error="b", DPoP algs="ES256"`. */
export function parseChallenges(header: string): Challenge[] {
  const challenges: Challenge[] = [];
  let rest = header.trim();
  let current: Challenge | undefined;
  while (rest.length > 0) {
    const name = TOKEN.exec(rest)?.[0];
    assert.ok(name, `unparseable WWW-Authenticate at: ${rest.slice(0, 40)}`);
    rest = rest.slice(name.length).trimStart();
    if (rest.startsWith('=')) {
      assert.ok(current, `auth-param ${name} before any scheme`);
      rest = rest.slice(1).trimStart();
      let value: string;
      if (rest.startsWith('"')) {
        let i = 1;
        value = '';
        while (i < rest.length && rest[i] !== '"') {
          if (rest[i] === '\\') i++;
          value += rest[i];
          i++;
        }
        assert.ok(i < rest.length, 'unterminated quoted-string');
        rest = rest.slice(i + 1);
      } else {
        value = TOKEN.exec(rest)?.[0] ?? '';
        rest = rest.slice(value.length);
      }
      current.params[name.toLowerCase()] = value;
    } else {
      current = { scheme: name, params: {} };
      challenges.push(current);
    }
    rest = rest.trimStart();
    if (rest.startsWith(',')) rest = rest.slice(1).trimStart();
  }
  return challenges;
}

/**
 * Checks `answer` against `expect`. `offered` are the schemes this resource server challenges with
 * (`['Bearer', 'DPoP']` in mode 'allowed', `['DPoP']` in 'required').
 */
export function assertAnswer(
  answer: Answer,
  expect: DPoPExpect,
  offered: readonly ChallengeScheme[],
  label: string,
): void {
  assert.equal(
    answer.status,
    expect.status,
    `${label}: status ${answer.status}, body ${answer.body.slice(0, 200)}`,
  );
  if (expect.status === 200) {
    if (expect.binding) {
      const binding = answer.json?.binding as { method?: unknown } | undefined;
      assert.equal(
        binding?.method,
        expect.binding,
        `${label}: accepted without the ${expect.binding} binding`,
      );
    }
    return;
  }
  if (expect.status === 503) {
    assert.match(answer.headers['retry-after'] ?? '', /^[1-9][0-9]*$/, `${label}: Retry-After`);
    assert.equal(answer.json?.error, 'temporarily_unavailable', `${label}: body error`);
    return;
  }
  const header = answer.headers['www-authenticate'];
  assert.ok(header, `${label}: no WWW-Authenticate`);
  const challenges = parseChallenges(header);
  assert.deepEqual(
    challenges.map((c) => c.scheme),
    offered,
    `${label}: challenges offered (${header})`,
  );
  for (const challenge of challenges) {
    const expected = challenge.scheme === expect.scheme ? expect.error : undefined;
    assert.equal(
      challenge.params.error,
      expected,
      `${label}: error on the ${challenge.scheme} challenge (${header})`,
    );
    if (challenge.scheme === 'DPoP')
      assert.match(challenge.params.algs ?? '', /^[A-Za-z0-9]+( [A-Za-z0-9]+)*$/);
  }
  assert.ok(
    challenges.some((c) => c.scheme === expect.scheme),
    `${label}: no ${expect.scheme} challenge (${header})`,
  );
  // No error on any challenge: a request without credentials (RFC 6750 §3.1), `unauthorized` in the body.
  assert.equal(
    answer.json?.error,
    expect.error ?? 'unauthorized',
    `${label}: the JSON body must carry the same error`,
  );
  if (expect.error === 'use_dpop_nonce') {
    const nonce = answer.headers['dpop-nonce'];
    assert.match(nonce ?? '', /^[A-Za-z0-9_-]{16,}$/, `${label}: DPoP-Nonce missing or malformed`);
  }
}
