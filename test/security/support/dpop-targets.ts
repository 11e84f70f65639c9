/**
 * Where a DPoP case is sent: core's authenticator called directly (a `BearerRequest` built as Node would
 * build it from the same header lines), or a Fastify, Express or Koa app on 127.0.0.1 (raw HTTP, so repeated
 * headers arrive as sent; HTTPS with an optional client certificate for the tls app).
 */
import { X509Certificate } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import {
  BearerError,
  type BearerRequest,
  createBearerAuthenticator,
  IdentityModelError,
} from '@identity-model/core';
import type { TestPki } from '../../support/certificates.js';
import { type AppOptions, type Framework, startApp } from './apps.js';
import type { Answer } from './dpop-answer.js';
import type { DPoPRequest } from './dpop-context.js';
import { rawRequest } from './raw-http.js';

export interface DPoPTarget {
  origin: string;
  port: number;
  send(request: DPoPRequest): Promise<Answer>;
  close(): Promise<void>;
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

// What Node keeps of a repeated header: the first for these, the values joined by ", " for the rest.
const FIRST_ONLY = new Set(['authorization', 'host']);

/** The `BearerRequest` an adapter hands core for these header lines, from 127.0.0.1. */
export function toBearerRequest(request: DPoPRequest, host: string, tls: boolean): BearerRequest {
  const lines: [string, string][] = [['host', host], ...request.headers];
  const headers: Record<string, string> = {};
  for (const [name, value] of lines) {
    const key = name.toLowerCase();
    if (headers[key] === undefined) headers[key] = value;
    else if (!FIRST_ONLY.has(key)) headers[key] = `${headers[key]}, ${value}`;
  }
  const peer = request.cert ? { raw: new X509Certificate(request.cert.cert).raw } : {};
  return {
    method: request.method ?? 'GET',
    url: request.path ?? '/api',
    headers,
    rawHeaders: lines.flat(),
    socket: {
      remoteAddress: '127.0.0.1',
      encrypted: tls,
      ...(tls ? { getPeerCertificate: () => peer } : {}),
    },
  };
}

// Core has no server: this is the Host its requests name (any port would do; nothing listens on it).
const CORE_PORT = 8443;

export function coreTarget(options: AppOptions, tls: boolean): DPoPTarget {
  const authenticator = createBearerAuthenticator(options);
  const host = `127.0.0.1:${CORE_PORT}`;
  return {
    origin: `${tls ? 'https' : 'http'}://${host}`,
    port: CORE_PORT,
    async send(request) {
      try {
        const auth = await authenticator.authenticate(toBearerRequest(request, host, tls));
        const json = { sub: auth?.claims.sub, scopes: auth?.scopes ?? [], binding: auth?.binding };
        return { status: 200, headers: {}, json, body: JSON.stringify(json) };
      } catch (error) {
        if (!(error instanceof BearerError)) throw error;
        const { status, headers, body } = error.toResponse();
        const cause = error.cause instanceof IdentityModelError ? error.cause.code : undefined;
        return { status, headers, json: { ...body }, body: JSON.stringify(body), cause };
      }
    },
    close: () => authenticator.close(),
  };
}

function overHttps(port: number, request: DPoPRequest, ca: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        method: request.method ?? 'GET',
        path: request.path ?? '/api',
        headers: Object.fromEntries(request.headers),
        ca,
        ...(request.cert ? { cert: request.cert.cert, key: request.cert.key } : {}),
        agent: false,
        timeout: 5000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
          }
          resolve({ status: res.statusCode ?? 0, headers, json: parseJson(body), body });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 5000 ms')));
    req.on('error', reject);
    req.end();
  });
}

export async function appTarget(
  framework: Framework,
  options: AppOptions,
  pki: TestPki | undefined,
): Promise<DPoPTarget> {
  const app = await startApp(framework, options, pki?.server);
  return {
    origin: app.url,
    port: app.port,
    async send(request) {
      if (pki) return overHttps(app.port, request, pki.ca.cert);
      const res = await rawRequest(app.port, {
        method: request.method ?? 'GET',
        path: request.path ?? '/api',
        headers: request.headers,
      });
      return { status: res.status, headers: res.headers, json: res.json, body: res.body };
    },
    close: () => app.close(),
  };
}
