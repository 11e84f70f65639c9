import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { normalizeHtu } from '../../src/dpop/htu.js';
import { DPoPNonceSource } from '../../src/dpop/nonce-source.js';
import { ConfigurationError } from '../../src/errors.js';

describe('htu normalisation (RFC 9449 §4.3 item 9, RFC 3986 §6)', () => {
  const table: [string, string | undefined][] = [
    ['https://api.example/things', 'https://api.example/things'],
    ['HTTPS://API.Example/things', 'https://api.example/things'],
    ['https://api.example:443/things', 'https://api.example/things'],
    ['http://api.example:80/things', 'http://api.example/things'],
    ['https://api.example:8443/things', 'https://api.example:8443/things'],
    ['https://api.example/things?page=2#top', 'https://api.example/things'],
    ['https://api.example/a/./b/../things', 'https://api.example/a/things'],
    ['https://api.example', 'https://api.example/'],
    ['https://api.example/Things', 'https://api.example/Things'],
    ['https://api.example/%7Euser', 'https://api.example/%7Euser'],
    ['https://[::1]:8443/x', 'https://[::1]:8443/x'],
    ['https://user:pass@api.example/things', undefined],
    ['ftp://api.example/things', undefined],
    ['/things', undefined],
    ['', undefined],
    [`https://api.example/${'a'.repeat(5000)}`, undefined],
  ];
  for (const [input, expected] of table) {
    test(`${input.slice(0, 60) || '(empty)'} → ${expected ?? 'refused'}`, () => {
      assert.equal(normalizeHtu(input), expected);
    });
  }
  test('a non-string is refused', () => {
    assert.equal(normalizeHtu(42), undefined);
  });
  test('remembered answers stay right: asked again, past the memo size, and for URLs too long to keep', () => {
    const long = `https://API.example/${'b'.repeat(2000)}`;
    for (let round = 0; round < 2; round++) {
      for (const [input, expected] of table) assert.equal(normalizeHtu(input), expected, input.slice(0, 60));
      for (let i = 0; i < 1500; i++) {
        assert.equal(normalizeHtu(`HTTPS://api.example:443/p/./${i}?q`), `https://api.example/p/${i}`);
        assert.equal(normalizeHtu(`https://u:p@api.example/${i}`), undefined);
      }
      assert.equal(normalizeHtu(long), `https://api.example/${'b'.repeat(2000)}`);
    }
  });
});

describe('DPoPNonceSource (RFC 9449 §9)', () => {
  test('rotates every rotateEvery seconds; the current and the previous nonce are accepted', () => {
    let now = 1_700_000_000_000;
    const source = new DPoPNonceSource({ rotateEvery: 60 }, () => now);
    const first = source.current();
    assert.match(first, /^[A-Za-z0-9_-]{30}$/);
    assert.equal(source.current(), first);
    assert.ok(source.accepts(first));
    now += 60_000;
    const second = source.current();
    assert.notEqual(second, first);
    assert.ok(source.accepts(first), 'the previous slot is still accepted');
    assert.ok(source.accepts(second));
    now += 60_000;
    assert.equal(source.accepts(first), false, 'two rotations later the first nonce is stale');
    assert.ok(source.accepts(second));
  });

  test('a nonce from a future slot, another secret, or of another shape is refused', () => {
    let now = 1_700_000_000_000;
    const secret = 'x'.repeat(32);
    const source = new DPoPNonceSource({ secret, rotateEvery: 60 }, () => now);
    const ahead = new DPoPNonceSource({ secret, rotateEvery: 60 }, () => now + 120_000);
    assert.equal(source.accepts(ahead.current()), false);
    const other = new DPoPNonceSource({ secret: 'y'.repeat(32), rotateEvery: 60 }, () => now);
    assert.equal(source.accepts(other.current()), false);
    const same = new DPoPNonceSource({ secret, rotateEvery: 60 }, () => now);
    assert.ok(source.accepts(same.current()), 'a replica with the same secret makes the same nonce');
    for (const bad of [undefined, 42, '', 'short', `${source.current()}A`, '='.repeat(30)]) {
      assert.equal(source.accepts(bad), false, String(bad));
    }
    now += 1;
  });

  test('a short secret or an out-of-range rotation is a ConfigurationError', () => {
    assert.throws(() => new DPoPNonceSource({ secret: 'short' }), ConfigurationError);
    assert.throws(() => new DPoPNonceSource({ rotateEvery: 1 }), ConfigurationError);
    assert.throws(() => new DPoPNonceSource({ rotateEvery: Number.NaN }), ConfigurationError);
  });
});
