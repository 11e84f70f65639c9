import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BearerRequest } from '../../src/bearer/extract-token.js';
import { checkPublicUrl, requestUrl } from '../../src/bearer/request-url.js';
import { TrustedProxies } from '../../src/bearer/trusted-proxies.js';
import { ConfigurationError } from '../../src/errors.js';

function req(
  headers: Record<string, string>,
  socket: BearerRequest['socket'],
  url = '/things?x=1',
): BearerRequest {
  return { method: 'GET', url, headers, socket };
}

describe('TrustedProxies: exact addresses and CIDR ranges', () => {
  const proxies = new TrustedProxies([
    '10.0.0.0/8',
    '192.168.1.7',
    'fd00::/8',
    '::1',
    '::ffff:172.16.0.0/108',
  ]);
  const table: [string | undefined, boolean][] = [
    ['10.1.2.3', true],
    ['::ffff:10.1.2.3', true],
    ['11.0.0.1', false],
    ['192.168.1.7', true],
    ['192.168.1.8', false],
    ['fd12:3456::1', true],
    ['fe80::1', false],
    ['::1', true],
    ['172.16.5.5', true],
    ['172.32.0.1', false],
    ['not-an-ip', false],
    [undefined, false],
  ];
  for (const [address, trusted] of table) {
    test(`${address} → ${trusted ? 'trusted' : 'not trusted'}`, () => {
      assert.equal(proxies.trusts(address), trusted);
    });
  }
  test('nothing is trusted by default', () => {
    assert.equal(new TrustedProxies(undefined).trusts('127.0.0.1'), false);
  });
  test('a bad entry is a ConfigurationError naming it', () => {
    for (const bad of ['10.0.0.0/33', 'fd00::/129', 'example.com', '10.0.0.1/x', '']) {
      assert.throws(
        () => new TrustedProxies([bad]),
        (e: unknown) => e instanceof ConfigurationError && e.message.includes(JSON.stringify(bad)),
      );
    }
  });
});

describe('requestUrl: the URL a proof must name', () => {
  const none = { publicUrl: undefined, proxies: new TrustedProxies([]) };
  const trusted = { publicUrl: undefined, proxies: new TrustedProxies(['10.0.0.1']) };
  const direct = { remoteAddress: '10.0.0.1', encrypted: false };

  test('direct: scheme from the socket, host from Host, query dropped', () => {
    assert.equal(requestUrl(req({ host: 'API.example:80' }, direct), none), 'http://api.example/things');
    assert.equal(
      requestUrl(req({ host: 'api.example' }, { encrypted: true }), none),
      'https://api.example/things',
    );
    assert.equal(
      requestUrl(req({ ':authority': 'api.example' }, { encrypted: true }), none),
      'https://api.example/things',
    );
  });

  test('forwarding headers from an untrusted peer are ignored', () => {
    const headers = {
      host: 'api.example',
      'x-forwarded-host': 'evil.example',
      'x-forwarded-proto': 'https',
      forwarded: 'host=evil.example;proto=https',
    };
    assert.equal(requestUrl(req(headers, direct), none), 'http://api.example/things');
  });

  test('from a trusted proxy: X-Forwarded-* (last value), or Forwarded when present', () => {
    const xf = {
      host: 'internal:3000',
      'x-forwarded-host': 'spoof.example, public.example',
      'x-forwarded-proto': 'https',
      'x-forwarded-port': '8443',
    };
    assert.equal(requestUrl(req(xf, direct), trusted), 'https://public.example:8443/things');
    const fwd = {
      host: 'internal:3000',
      forwarded: 'for=1.2.3.4;host=spoof.example, for=5.6.7.8;proto=https;host="public.example"',
      'x-forwarded-host': 'ignored.example',
    };
    assert.equal(requestUrl(req(fwd, direct), trusted), 'https://public.example/things');
  });

  test('a Host that would move the path or carry credentials, or no Host, gives no URL', () => {
    for (const host of ['evil.example/x', 'user@evil.example', 'a b', '']) {
      assert.equal(requestUrl(req({ host }, direct), none), undefined, host);
    }
    assert.equal(requestUrl(req({}, direct), none), undefined);
    assert.equal(requestUrl(req({ host: 'h', 'x-forwarded-port': 'abc' }, direct), trusted), undefined);
    assert.equal(requestUrl(req({ host: 'h', 'x-forwarded-proto': 'gopher' }, direct), trusted), undefined);
  });

  test('absolute-form request-targets count by their path only', () => {
    assert.equal(
      requestUrl(req({ host: 'api.example' }, direct, 'http://evil.example/things'), none),
      'http://api.example/things',
    );
    assert.equal(requestUrl(req({ host: 'api.example' }, direct, '*'), none), undefined);
  });

  test('publicUrl wins over everything, with its path prefix', () => {
    const settings = {
      publicUrl: checkPublicUrl('https://api.example.com/v1/'),
      proxies: new TrustedProxies(['10.0.0.1']),
    };
    const headers = { host: 'internal', 'x-forwarded-host': 'other.example' };
    assert.equal(requestUrl(req(headers, direct), settings), 'https://api.example.com/v1/things');
  });

  test('a publicUrl with a query, credentials or another scheme is a ConfigurationError', () => {
    for (const bad of ['https://a.example/?x', 'https://u:p@a.example', 'ftp://a.example', 'not a url', 42]) {
      assert.throws(() => checkPublicUrl(bad), ConfigurationError);
    }
  });
});
