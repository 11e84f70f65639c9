import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseChallengesStrict } from './challenge-parser.js';

describe('the strict WWW-Authenticate parser the challenge assertions rely on', () => {
  test('reads several challenges, quoted-pairs, tokens and token68', () => {
    assert.deepEqual(
      parseChallengesStrict(
        'Bearer realm="a \\"b\\" c", error=invalid_token, DPoP algs="ES256 RS256", Basic dXNlcg==',
      ),
      [
        { scheme: 'Bearer', params: { realm: 'a "b" c', error: 'invalid_token' } },
        { scheme: 'DPoP', params: { algs: 'ES256 RS256' } },
        { scheme: 'Basic', params: {}, token68: 'dXNlcg==' },
      ],
    );
    assert.deepEqual(parseChallengesStrict('Bearer'), [{ scheme: 'Bearer', params: {} }]);
  });

  for (const [name, header] of [
    ['an unescaped quote inside a value', 'Bearer realm="a"b", error="x"'],
    ['an unterminated quoted-string', 'Bearer realm="abc'],
    ['a missing comma between parameters', 'Bearer realm="a" error="b"'],
    ['a token68 mixed with parameters', 'Bearer abc==, realm="a"'],
    ['a token68 followed by a parameter without comma', 'Bearer abc== realm="a"'],
    ['a repeated parameter', 'Bearer realm="a", realm="b"'],
    ['a control character in a quoted-string', 'Bearer realm="a\nb"'],
    ['a bad quoted-pair', 'Bearer realm="a\\\u0001"'],
    ['a trailing comma', 'Bearer realm="a",'],
    ['a parameter without a value (read as a token68) before another', 'Bearer error=, realm="a"'],
    ['leading whitespace', ' Bearer'],
    ['a scheme glued to a quote', 'Bearer"x"'],
  ] as const) {
    test(`refuses ${name}`, () => {
      assert.throws(() => parseChallengesStrict(header), SyntaxError);
    });
  }
});
