/**
 * Back-channel logout tokens (OIDC Back-Channel Logout 1.0 §2.6): each refusal is named after the attack it
 * stops; replays are caught through the replay store.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { ConfigurationError } from '../../src/errors.js';
import {
  BACKCHANNEL_LOGOUT_EVENT,
  createLogoutTokenValidator,
  type LogoutTokenValidatorOptions,
  validateLogoutToken,
} from '../../src/id-token/logout-token-validator.js';
import { MemoryReplayStore } from '../../src/replay/memory-replay-store.js';
import type { ReplayStore } from '../../src/replay/replay-store.js';
import { rejectsWith } from '../validation/helpers.js';
import { CLIENT, ISSUER, jwt, nowSeconds, opKeys } from './support.js';

const base: LogoutTokenValidatorOptions = { issuer: ISSUER, clientId: CLIENT, keySource: opKeys };

function logoutToken(overrides: Record<string, unknown> = {}, header: Record<string, unknown> = {}): string {
  return jwt(
    {
      iss: ISSUER,
      aud: CLIENT,
      iat: nowSeconds(),
      jti: randomUUID(),
      sub: 'alice',
      sid: 'session-1',
      events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
      ...overrides,
    },
    { typ: 'logout+jwt', ...header },
  );
}

describe('logout tokens: accepted', () => {
  test('a logout token with sub and sid is accepted; typ JWT, absent typ and sid alone too', async () => {
    const v = createLogoutTokenValidator({ ...base, replayStore: new MemoryReplayStore() });
    const result = await v.validate(logoutToken());
    assert.equal(result.sub, 'alice');
    assert.equal(result.sid, 'session-1');
    await v.validate(logoutToken({}, { typ: 'JWT' }));
    await v.validate(logoutToken({}, { typ: undefined }));
    const sidOnly = await v.validate(logoutToken({ sub: undefined }));
    assert.equal(sidOnly.sub, undefined);
    await v.close();
  });
});

describe('logout tokens: refused', () => {
  const v = createLogoutTokenValidator({ ...base, replayStore: new MemoryReplayStore() });

  test('logout token with a nonce (an ID token passed off as a logout token) is refused', async () => {
    await rejectsWith(v.validate(logoutToken({ nonce: 'n' })), 'claim_invalid');
  });

  test('logout token without events is refused', async () => {
    await rejectsWith(v.validate(logoutToken({ events: undefined })), 'claim_missing');
  });

  test('logout token with a wrong events member (another event type) is refused', async () => {
    const other = { 'https://schemas.openid.net/secevent/risc/event-type/account-disabled': {} };
    await rejectsWith(v.validate(logoutToken({ events: other })), 'events_invalid');
    await rejectsWith(
      v.validate(logoutToken({ events: { [BACKCHANNEL_LOGOUT_EVENT]: 'yes' } })),
      'events_invalid',
    );
    await rejectsWith(v.validate(logoutToken({ events: [BACKCHANNEL_LOGOUT_EVENT] })), 'events_invalid');
  });

  test('logout token without sid or sub (logs out nobody, or everybody) is refused', async () => {
    await rejectsWith(v.validate(logoutToken({ sub: undefined, sid: undefined })), 'claim_missing');
  });

  test('replayed jti (the same logout token posted twice) is refused', async () => {
    const token = logoutToken();
    await v.validate(token);
    await rejectsWith(v.validate(token), 'token_replayed');
  });

  test('replayed jti is refused by the one-call form too (the process store is shared)', async () => {
    const token = logoutToken();
    await validateLogoutToken(token, base);
    await rejectsWith(validateLogoutToken(token, base), 'token_replayed');
  });

  test('logout token without jti (cannot be checked for replay) is refused', async () => {
    await rejectsWith(v.validate(logoutToken({ jti: undefined })), 'claim_missing');
  });

  test('stale iat (an old logout token replayed after its jti was forgotten) is refused', async () => {
    await rejectsWith(v.validate(logoutToken({ iat: nowSeconds() - 600 })), 'token_too_old');
    await rejectsWith(v.validate(logoutToken({ iat: nowSeconds() + 600 })), 'iat_in_future');
  });

  test('an expired logout token (exp present) is refused', async () => {
    const now = nowSeconds();
    await rejectsWith(v.validate(logoutToken({ iat: now - 30, exp: now - 20 })), 'token_expired');
  });

  test('an ID token offered as a logout token is refused', async () => {
    const now = nowSeconds();
    const id = jwt({
      iss: ISSUER,
      sub: 'alice',
      aud: CLIENT,
      iat: now,
      exp: now + 300,
      jti: 'j',
      nonce: 'n',
    });
    await rejectsWith(v.validate(id), 'claim_missing');
    const withJtiAndEvents = jwt({
      iss: ISSUER,
      sub: 'alice',
      aud: CLIENT,
      iat: now,
      jti: randomUUID(),
      nonce: 'n',
      events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
    });
    await rejectsWith(v.validate(withJtiAndEvents), 'claim_invalid');
  });

  test('an access token (at+jwt) offered as a logout token is refused', async () => {
    await rejectsWith(v.validate(logoutToken({}, { typ: 'at+jwt' })), 'typ_invalid');
  });

  test('a logout token for another client or from another issuer is refused', async () => {
    await rejectsWith(v.validate(logoutToken({ aud: 'other-client' })), 'audience_invalid');
    await rejectsWith(v.validate(logoutToken({ iss: 'https://evil.example' })), 'issuer_invalid');
  });

  test('a replay store that cannot answer makes validation fail closed (keys_unavailable, not accepted)', async () => {
    const down: ReplayStore = { setIfAbsent: () => Promise.reject(new Error('ECONNREFUSED')) };
    const strict = createLogoutTokenValidator({ ...base, replayStore: down });
    await rejectsWith(strict.validate(logoutToken()), 'keys_unavailable');
  });

  test('options are checked at construction', () => {
    assert.throws(() => createLogoutTokenValidator({ ...base, iatWindow: 0 }), ConfigurationError);
    assert.throws(
      () => createLogoutTokenValidator({ ...base, replayStore: {} as ReplayStore }),
      /replayStore must implement setIfAbsent/,
    );
  });
});
