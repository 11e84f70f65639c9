import type { DiscoveryDocumentResponse } from '../discovery/discovery-document-response.js';
import { ConfigurationError } from '../errors.js';
import { validateEndpointAddress } from '../protocol/endpoint-address.js';

/**
 * The URL of an endpoint the browser is sent to (authorization, end-session): given, or read from a discovery
 * document already fetched. http(s) only, no credentials, no fragment (RFC 6749 §3.1); its own query is kept,
 * but may not hold a parameter we set (the provider would see it twice).
 */
export function frontChannelUrl<K extends string>(
  options:
    | ({ readonly [P in K]?: string | URL | undefined } & { document?: DiscoveryDocumentResponse })
    | undefined,
  option: K,
  metadata: string,
  caller: string,
): URL {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigurationError(`${caller}: options are required`);
  }
  const given: string | URL | undefined = options[option];
  const document = options.document;
  if ((given === undefined) === (document === undefined)) {
    throw new ConfigurationError(
      `${option} or document: give exactly one (the URL, or the discovery document naming it)`,
    );
  }
  let address = given;
  if (document !== undefined) {
    if (!document.isSuccessful) {
      throw new ConfigurationError(
        `document: discovery failed (${document.error ?? 'unknown error'}); fetch it again`,
      );
    }
    address = document.getString(metadata);
    if (address === undefined) throw new ConfigurationError(`document: names no ${metadata}`);
  }
  const url = new URL(validateEndpointAddress(address as string | URL, metadata.replaceAll('_', ' ')));
  if (url.hash !== '') throw new ConfigurationError(`${option}: must not contain a fragment (RFC 6749 §3.1)`);
  return url;
}

/** `url` with `fields` appended; a field the endpoint's own query already names is refused. */
export function withFields(
  url: URL,
  fields: ReadonlyArray<readonly [string, string]>,
  option: string,
): string {
  const out = new URL(url);
  for (const name of new Set(fields.map(([n]) => n))) {
    if (out.searchParams.has(name)) {
      throw new ConfigurationError(`${option}: its query already holds "${name}", which the request sets`);
    }
  }
  for (const [name, value] of fields) out.searchParams.append(name, value);
  return out.href;
}
