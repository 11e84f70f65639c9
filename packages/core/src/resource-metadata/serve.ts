import type { ResourceMetadata } from './resource-metadata.js';

/** How an adapter answers a metadata request: send exactly this (a HEAD answer's body is dropped by Node). */
export interface ResourceMetadataAnswer {
  status: 200 | 204 | 405;
  /** Lower-case header names. */
  headers: Readonly<Record<string, string>>;
  /** The JSON document for GET and HEAD; undefined otherwise. */
  body: string | undefined;
}

const ALLOW = 'GET, HEAD, OPTIONS';

/**
 * The answers for one resource server's metadata, built once. The document is public (RFC 9728 §3: clients
 * read it before they have a token), so it is served without authentication to any origin: CORS with
 * `Access-Control-Allow-Origin: *` and never credentials.
 */
function buildAnswers(
  metadata: ResourceMetadata,
): Record<'document' | 'preflight' | 'refused', ResourceMetadataAnswer> {
  const cors = { 'access-control-allow-origin': '*' };
  return {
    document: Object.freeze({
      status: 200,
      headers: Object.freeze({
        ...cors,
        'content-type': 'application/json',
        'cache-control': metadata.cacheControl,
      }),
      body: metadata.body,
    }),
    // A browser client sending, say, MCP-Protocol-Version preflights; `*` allows any header but Authorization.
    preflight: Object.freeze({
      status: 204,
      headers: Object.freeze({
        ...cors,
        'access-control-allow-methods': ALLOW,
        'access-control-allow-headers': '*',
        'access-control-max-age': '86400',
      }),
      body: undefined,
    }),
    refused: Object.freeze({
      status: 405,
      headers: Object.freeze({ ...cors, allow: ALLOW }),
      body: undefined,
    }),
  };
}

/** Decides metadata requests for the adapters: `answer` is undefined for every other request. */
export interface ResourceMetadataEndpoint {
  readonly metadata: ResourceMetadata;
  /** True when `url` (a request target, query allowed) is one of the well-known paths. */
  matches(url: string): boolean;
  /** The answer to a request for a well-known path, or undefined when the request is not for one. */
  answer(method: string, url: string): ResourceMetadataAnswer | undefined;
}

/** Builds the endpoint of `metadata` once; nothing is computed per request but a path comparison. */
export function createResourceMetadataEndpoint(metadata: ResourceMetadata): ResourceMetadataEndpoint {
  const answers = buildAnswers(metadata);
  const paths = new Set(metadata.paths);
  const matches = (url: string): boolean => {
    if (typeof url !== 'string' || !url.startsWith('/.well-known/')) return false;
    const end = url.indexOf('?');
    return paths.has(end === -1 ? url : url.slice(0, end));
  };
  return Object.freeze({
    metadata,
    matches,
    answer(method: string, url: string) {
      if (!matches(url)) return undefined;
      if (method === 'GET' || method === 'HEAD') return answers.document;
      if (method === 'OPTIONS') return answers.preflight;
      return answers.refused;
    },
  });
}
