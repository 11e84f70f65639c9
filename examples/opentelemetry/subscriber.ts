// Maps every identity-model diagnostics_channel event to OpenTelemetry metrics, and the network exchanges
// (key sets, discovery, token requests, introspections) to spans. Only @opentelemetry/api is imported: the
// SDK and exporters are the application's choice, registered before `instrumentIdentityModel()` is called.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { DIAGNOSTICS_CHANNELS, type DiagnosticsMessages } from '@identity-model/core';
import {
  type Attributes,
  type Meter,
  metrics,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';

type ChannelName = keyof DiagnosticsMessages;

export interface InstrumentationOptions {
  /** Default: `metrics.getMeter('identity-model')` (the global provider). */
  meter?: Meter;
  /** Default: `trace.getTracer('identity-model')`. */
  tracer?: Tracer;
}

/** Subscribes to every channel; returns the function that unsubscribes again. */
export function instrumentIdentityModel(options: InstrumentationOptions = {}): () => void {
  const meter = options.meter ?? metrics.getMeter('identity-model');
  const tracer = options.tracer ?? trace.getTracer('identity-model');
  const seconds = (name: string, description: string) =>
    meter.createHistogram(name, { description, unit: 's' });

  const validations = meter.createCounter('identity_model.token.validations', {
    description: 'JWT access token validations, by outcome and refusal code',
  });
  const validationTime = seconds('identity_model.token.validation.duration', 'Time to validate a JWT');
  const keySetFetches = meter.createCounter('identity_model.jwks.fetches', {
    description: 'JWK Set fetches, by reason and outcome',
  });
  const keySetTime = seconds('identity_model.jwks.fetch.duration', 'Time to fetch a JWK Set');
  const discoveryFetches = meter.createCounter('identity_model.discovery.fetches', {
    description: 'Discovery document fetches, by reason and outcome',
  });
  const discoveryTime = seconds('identity_model.discovery.fetch.duration', 'Time to fetch discovery');
  const tokenRequests = meter.createCounter('identity_model.token_manager.requests', {
    description: 'Token requests of the client-credentials token manager',
  });
  const tokenRequestTime = seconds('identity_model.token_manager.request.duration', 'Time to get a token');
  const tokenCacheHits = meter.createCounter('identity_model.token_manager.cache_hits', {
    description: 'Tokens served from the manager memory or its shared store',
  });
  const introspections = meter.createCounter('identity_model.introspection.validations', {
    description: 'Opaque token validations by introspection',
  });
  const introspectionTime = seconds('identity_model.introspection.duration', 'Time to introspect');
  const replays = meter.createCounter('identity_model.dpop.replays_refused', {
    description: 'DPoP proofs refused as replays',
  });
  const unavailable = meter.createCounter('identity_model.bearer.unavailable', {
    description: 'Requests answered 503: keys or introspection could not be had',
  });

  /** A span for an exchange that already ended: it started `durationMs` ago (under the caller's context). */
  const span = (name: string, durationMs: number, attributes: Attributes, failed: boolean) => {
    const end = Date.now();
    const s = tracer.startSpan(name, { kind: SpanKind.CLIENT, startTime: end - durationMs, attributes });
    if (failed) s.setStatus({ code: SpanStatusCode.ERROR });
    s.end(end);
  };

  const handlers: { [N in ChannelName]: (message: DiagnosticsMessages[N]) => void } = {
    'identity-model:validation': (m) => {
      const attributes = { outcome: m.outcome, 'error.type': m.code, issuer: m.issuer };
      validations.add(1, attributes);
      validationTime.record(m.durationMs / 1000, attributes);
    },
    'identity-model:jwks:fetch': (m) => {
      const attributes = { reason: m.reason, outcome: m.outcome, 'http.response.status_code': m.status };
      keySetFetches.add(1, attributes);
      keySetTime.record(m.durationMs / 1000, attributes);
      span(
        'identity-model jwks fetch',
        m.durationMs,
        { ...attributes, 'url.full': m.url, keys: m.keys },
        m.outcome === 'error',
      );
    },
    'identity-model:discovery:fetch': (m) => {
      const attributes = { reason: m.reason, outcome: m.outcome, 'http.response.status_code': m.status };
      discoveryFetches.add(1, attributes);
      discoveryTime.record(m.durationMs / 1000, attributes);
      span(
        'identity-model discovery fetch',
        m.durationMs,
        { ...attributes, 'url.full': m.url },
        m.outcome === 'error',
      );
    },
    'identity-model:token-manager:request': (m) => {
      const attributes = { client_id: m.clientId, outcome: m.outcome, 'http.response.status_code': m.status };
      tokenRequests.add(1, attributes);
      tokenRequestTime.record(m.durationMs / 1000, attributes);
      span('identity-model token request', m.durationMs, attributes, m.outcome === 'error');
    },
    'identity-model:token-manager:cache-hit': (m) => {
      tokenCacheHits.add(1, { client_id: m.clientId, source: m.source });
    },
    'identity-model:introspection': (m) => {
      const attributes = { outcome: m.outcome, 'error.type': m.code, cached: m.cached };
      introspections.add(1, attributes);
      introspectionTime.record(m.durationMs / 1000, attributes);
      // A verdict from the cache made no request: a metric, not a span.
      if (!m.cached) span('identity-model introspection', m.durationMs, attributes, m.outcome === 'error');
    },
    'identity-model:dpop:replay-refused': (m) => {
      replays.add(1, { 'http.request.method': m.method });
    },
    'identity-model:bearer:unavailable': (m) => {
      unavailable.add(1, { policy_refusal: m.policyRefusal });
    },
  };

  const subscriptions = Object.values(DIAGNOSTICS_CHANNELS).map((name) => {
    const handler = handlers[name] as (message: unknown) => void;
    const listener = (message: unknown) => handler(message);
    subscribe(name, listener);
    return () => unsubscribe(name, listener);
  });
  return () => {
    for (const stop of subscriptions) stop();
  };
}
