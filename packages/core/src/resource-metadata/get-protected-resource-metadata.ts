import { getDefaultHttpClient } from '../http/default-client.js';
import type { HttpClient, HttpResponse } from '../http/types.js';
import {
  describeBody,
  failureFromError,
  kindOf,
  mediaType,
  readErrorAnswer,
  readJsonObject,
  unexpectedAnswer,
} from '../protocol/protocol-response.js';
import {
  ProtectedResourceMetadataRequest,
  type ProtectedResourceMetadataRequestOptions,
} from './protected-resource-metadata-request.js';
import { ProtectedResourceMetadataResponse } from './protected-resource-metadata-response.js';
import { canonicalResourceOrUndefined } from './resource-identifier.js';

const WHAT = 'protected resource metadata endpoint';
const STRING_LISTS = [
  'authorization_servers',
  'scopes_supported',
  'bearer_methods_supported',
  'resource_signing_alg_values_supported',
  'authorization_details_types_supported',
  'dpop_signing_alg_values_supported',
];
const STRINGS = [
  'jwks_uri',
  'resource_name',
  'resource_documentation',
  'resource_policy_uri',
  'resource_tos_uri',
  'signed_metadata',
];
const FLAGS = ['tls_client_certificate_bound_access_tokens', 'dpop_bound_access_tokens_required'];
/** Most entries read from one list: a real document has a handful. */
const MAX_LIST = 100;

/** The first member whose type is not RFC 9728 §2's, or undefined. Never the value: only its JSON kind. */
function typeProblem(raw: Record<string, unknown>): string | undefined {
  for (const name of STRING_LISTS) {
    const value = raw[name];
    if (value === undefined) continue;
    if (!Array.isArray(value) || value.length > MAX_LIST || !value.every((v) => typeof v === 'string')) {
      return `${name} must be a list of at most ${MAX_LIST} strings (it is ${kindOf(value)})`;
    }
  }
  for (const name of STRINGS) {
    if (raw[name] !== undefined && typeof raw[name] !== 'string')
      return `${name} must be a string (it is ${kindOf(raw[name])})`;
  }
  for (const name of FLAGS) {
    if (raw[name] !== undefined && typeof raw[name] !== 'boolean')
      return `${name} must be a boolean (it is ${kindOf(raw[name])})`;
  }
  const servers = (raw.authorization_servers as string[] | undefined) ?? [];
  if (!servers.every((issuer) => canonicalResourceOrUndefined(issuer, { allowQuery: false }) !== undefined)) {
    return 'authorization_servers must hold https issuer URLs';
  }
  return undefined;
}

function read(
  request: ProtectedResourceMetadataRequest,
  response: HttpResponse,
): ProtectedResourceMetadataResponse {
  const failure = readErrorAnswer(response, WHAT);
  if (failure) return new ProtectedResourceMetadataResponse(failure);
  if (response.status !== 200) {
    return new ProtectedResourceMetadataResponse(
      unexpectedAnswer(response, `${WHAT} answered HTTP ${response.status}, not 200`),
    );
  }
  const type = mediaType(response.headers['content-type']);
  if (type !== 'application/json') {
    return new ProtectedResourceMetadataResponse(
      unexpectedAnswer(
        response,
        `${WHAT} answered ${type ?? 'without a content type'}, not application/json`,
      ),
    );
  }
  const { raw, parseError } = readJsonObject(response);
  if (!raw) {
    return new ProtectedResourceMetadataResponse(
      unexpectedAnswer(
        response,
        `${WHAT} answered without a JSON object (${describeBody(response)})`,
        parseError,
      ),
    );
  }
  const fail = (why: string) =>
    new ProtectedResourceMetadataResponse({ ...unexpectedAnswer(response, why), raw });
  if (typeof raw.resource !== 'string')
    return fail(`the metadata has no resource (it is ${kindOf(raw.resource)})`);
  // RFC 9728 §3.3: a document naming another resource could steer the client to another server's issuers.
  if (canonicalResourceOrUndefined(raw.resource, { allowQuery: true }) !== request.resource) {
    return fail(
      'the metadata resource is not the resource it was fetched for: the document is for another resource',
    );
  }
  const problem = typeProblem(raw);
  if (problem) return fail(problem);
  return new ProtectedResourceMetadataResponse({
    httpStatus: response.status,
    headers: response.headers,
    raw,
  });
}

/**
 * Fetches and checks a protected resource's metadata (RFC 9728 §3): the document at the resource's
 * well-known URL (or at `metadataUrl`, the `resource_metadata` of its challenge), JSON, its `resource`
 * identical to the resource asked for (§3.3), every member of the specified type, the body bounded. Never
 * throws for an outcome: a refusal, a network failure or a document for another resource is an unsuccessful
 * response. Redirects are not followed; retried where safe (it is a read).
 */
export async function getProtectedResourceMetadata(
  request: ProtectedResourceMetadataRequest | ProtectedResourceMetadataRequestOptions | string,
  httpClient: HttpClient = getDefaultHttpClient(),
): Promise<ProtectedResourceMetadataResponse> {
  let built: ProtectedResourceMetadataRequest;
  try {
    built =
      request instanceof ProtectedResourceMetadataRequest
        ? request
        : new ProtectedResourceMetadataRequest(request);
  } catch (err) {
    return new ProtectedResourceMetadataResponse(failureFromError(err, WHAT));
  }
  let response: HttpResponse;
  try {
    response = await httpClient.request({
      url: built.metadataUrl,
      method: 'GET',
      headers: { accept: 'application/json' },
      retry: 'all',
      maxBodyBytes: built.maxBodyBytes,
      followRedirects: false,
      ...(built.timeoutMs === undefined ? {} : { timeoutMs: built.timeoutMs }),
      ...(built.signal === undefined ? {} : { signal: built.signal }),
    });
  } catch (err) {
    return new ProtectedResourceMetadataResponse(failureFromError(err, WHAT));
  }
  return read(built, response);
}
