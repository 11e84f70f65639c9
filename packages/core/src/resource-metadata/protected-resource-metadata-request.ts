import { ConfigurationError } from '../errors.js';
import { canonicalResourceOrUndefined, protectedResourceMetadataUrl } from './resource-identifier.js';

/** A metadata document is a few hundred bytes; 64 KiB leaves room and keeps a hostile answer small. */
export const MAX_RESOURCE_METADATA_BYTES = 64 * 1024;

export interface ProtectedResourceMetadataRequestOptions {
  /**
   * The resource identifier: the URL you call (an MCP server's `https://host/mcp`). The answer's `resource`
   * must be identical to it (RFC 9728 §3.3), after the canonicalisation of `canonicalResource` (host case, a
   * bare origin's trailing slash).
   */
  resource: string;
  /**
   * Where to fetch: the `resource_metadata` of the resource's `WWW-Authenticate` challenge. Default: the
   * path-inserted well-known URL of `resource` (RFC 9728 §3.1).
   */
  metadataUrl?: string;
  /** Response size cap in bytes. Default 64 KiB. */
  maxBodyBytes?: number;
  /** Whole-exchange timeout in ms (default: the HTTP client's). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** A request for a protected resource's metadata (RFC 9728 §3), checked once when built. */
export class ProtectedResourceMetadataRequest {
  /** The canonical resource identifier the answer must name. */
  readonly resource: string;
  readonly metadataUrl: string;
  readonly maxBodyBytes: number;
  readonly timeoutMs: number | undefined;
  readonly signal: AbortSignal | undefined;

  constructor(options: ProtectedResourceMetadataRequestOptions | string) {
    const given = typeof options === 'string' ? { resource: options } : options;
    if (given === null || typeof given !== 'object') {
      throw new ConfigurationError('protected resource metadata request: { resource } or the resource URL');
    }
    const resource = canonicalResourceOrUndefined(given.resource, { allowQuery: true });
    if (resource === undefined) {
      throw new ConfigurationError(
        'resource: the absolute https URL of the resource (http on loopback only), without credentials or fragment',
      );
    }
    this.resource = resource;
    if (
      given.metadataUrl !== undefined &&
      canonicalResourceOrUndefined(given.metadataUrl, { allowQuery: true }) === undefined
    ) {
      throw new ConfigurationError(
        'metadataUrl: an absolute https URL (http on loopback only), without credentials or fragment',
      );
    }
    this.metadataUrl = given.metadataUrl ?? protectedResourceMetadataUrl(resource);
    const max = given.maxBodyBytes ?? MAX_RESOURCE_METADATA_BYTES;
    if (!Number.isSafeInteger(max) || max <= 0) {
      throw new ConfigurationError('maxBodyBytes: a positive whole number of bytes');
    }
    this.maxBodyBytes = max;
    this.timeoutMs = given.timeoutMs;
    this.signal = given.signal;
  }
}
