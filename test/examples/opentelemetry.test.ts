import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  authenticateBearer,
  ClientCredentialsTokenManager,
  createTokenValidator,
  type TokenValidator,
} from '@identity-model/core';
import { createTestIssuer, type TestIssuer } from '@identity-model/testing';
import {
  type InstrumentationOptions,
  instrumentIdentityModel,
} from '../../examples/opentelemetry/subscriber.js';

// The OpenTelemetry example against a test issuer. The SDK is the application's choice, so the meter and the
// tracer here record what the example hands them: instrument names, values, attributes and span timings.
interface Recorded {
  instrument: string;
  value: number;
  attributes: Record<string, unknown>;
}
interface RecordedSpan {
  name: string;
  attributes: Record<string, unknown>;
  startTime: number;
  endTime: number;
  error: boolean;
}

function recorder() {
  const points: Recorded[] = [];
  const spans: RecordedSpan[] = [];
  const instrument = (name: string) => ({
    add: (value: number, attributes = {}) => points.push({ instrument: name, value, attributes }),
    record: (value: number, attributes = {}) => points.push({ instrument: name, value, attributes }),
  });
  const meter = { createCounter: instrument, createHistogram: instrument };
  const tracer = {
    startSpan(name: string, options: { startTime: number; attributes: Record<string, unknown> }) {
      const span: RecordedSpan = {
        name,
        attributes: options.attributes,
        startTime: options.startTime,
        endTime: Number.NaN,
        error: false,
      };
      spans.push(span);
      return {
        setStatus: (status: { code: number }) => {
          span.error = status.code === 2;
        },
        end: (time: number) => {
          span.endTime = time;
        },
      };
    },
  };
  const options = { meter, tracer } as unknown as InstrumentationOptions;
  const named = (name: string) => points.filter((p) => p.instrument === name);
  return { points, spans, options, named };
}

let issuer: TestIssuer;
let validator: TokenValidator;
const { spans, options, named } = recorder();
let stop: () => void;

before(async () => {
  issuer = await createTestIssuer({ algorithms: ['ES256'], audience: 'demo-api' });
  validator = createTokenValidator({ issuer: issuer.issuer, audience: 'demo-api' });
  stop = instrumentIdentityModel(options);
});
after(async () => {
  stop();
  await validator.close();
  await issuer.close();
});

describe('examples/opentelemetry against a test issuer', () => {
  test('validations become counters and durations; key and discovery fetches become spans', async () => {
    await validator.validate(issuer.createToken({ clientId: 'svc', scope: 'read' }));
    await assert.rejects(
      validator.validate(issuer.createToken({ exp: Math.floor(Date.now() / 1000) - 600 })),
    );

    assert.deepEqual(
      named('identity_model.token.validations').map((p) => [p.value, p.attributes]),
      [
        [1, { outcome: 'ok', 'error.type': undefined, issuer: issuer.issuer }],
        [1, { outcome: 'error', 'error.type': 'token_expired', issuer: issuer.issuer }],
      ],
    );
    const durations = named('identity_model.token.validation.duration');
    assert.equal(durations.length, 2);
    for (const d of durations) assert.ok(d.value >= 0 && d.value < 10, `${d.value} s`);

    const fetches = spans.filter((s) => s.name !== 'identity-model token request');
    assert.deepEqual(
      fetches.map((s) => [s.name, s.attributes['url.full'], s.attributes.reason, s.error]),
      [
        ['identity-model discovery fetch', issuer.discoveryUri, 'initial', false],
        ['identity-model jwks fetch', issuer.jwksUri, 'initial', false],
      ],
    );
    for (const s of fetches) assert.ok(s.startTime <= s.endTime, 'a span ends after it starts');
  });

  test('the token manager: one request span, then cache hits; a 503 is counted', async () => {
    const { clientId, clientSecret } = issuer.defaultClient;
    const manager = new ClientCredentialsTokenManager({ issuer: issuer.issuer, clientId, clientSecret });
    after(() => manager.close());
    await manager.getToken();
    await manager.getToken();
    assert.deepEqual(
      named('identity_model.token_manager.requests').map((p) => p.attributes),
      [{ client_id: clientId, outcome: 'ok', 'http.response.status_code': 200 }],
    );
    assert.deepEqual(
      named('identity_model.token_manager.cache_hits').map((p) => p.attributes),
      [{ client_id: clientId, source: 'memory' }],
    );
    assert.equal(spans.filter((s) => s.name === 'identity-model token request').length, 1);

    await issuer.goDown({ mode: '503' });
    try {
      const cold = createTokenValidator({ issuer: issuer.issuer, audience: 'demo-api' });
      after(() => cold.close());
      const request = { headers: { authorization: `Bearer ${issuer.createToken()}` } };
      await assert.rejects(authenticateBearer(request, cold), { status: 503 });
    } finally {
      await issuer.comeBack();
    }
    assert.deepEqual(
      named('identity_model.bearer.unavailable').map((p) => p.attributes),
      [{ policy_refusal: false }],
    );
  });
});
