import type { DiscoveryErrorType } from './discovery-document-response.js';
import { type DiscoveryPolicy, isLoopbackHost } from './discovery-policy.js';
import { ENDPOINT_FIELDS } from './metadata-fields.js';
import { type DiscoveryProfile, findMissingMetadata, profileSpecification } from './required-metadata.js';

/** Why a well-typed document is refused. Every policy message names the option that would accept it. */
export interface PolicyRefusal {
  errorType: Extract<DiscoveryErrorType, 'policy' | 'exception'>;
  error: string;
  cause?: unknown;
}

const refuse = (error: string): PolicyRefusal => ({ errorType: 'policy', error });

function schemeRemedy(url: URL, policy: DiscoveryPolicy): string {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'only https (or http) URLs can be used';
  return policy.allowHttpOnLoopback || !isLoopbackHost(url.hostname)
    ? "set the discovery policy's requireHttps: false to allow http"
    : "set the discovery policy's allowHttpOnLoopback: true";
}

/** The endpoints the policy checks: every endpoint and mTLS alias, or only the caller's `usedEndpoints`. */
function endpointsToCheck(document: Record<string, unknown>, policy: DiscoveryPolicy): [string, string][] {
  const excluded = new Set(policy.endpointValidationExcludeList);
  const aliases = (document.mtls_endpoint_aliases ?? {}) as Record<string, string>;
  const all: [string, string][] = [
    ...ENDPOINT_FIELDS.filter((name) => typeof document[name] === 'string').map((name): [string, string] => [
      name,
      document[name] as string,
    ]),
    ...Object.entries(aliases).map(([name, url]): [string, string] => [`mtls_endpoint_aliases.${name}`, url]),
  ];
  const used = policy.usedEndpoints;
  return all.filter(([name]) => !excluded.has(name) && (used === undefined || used.has(name)));
}

/**
 * The policy's verdict on a document whose types were already checked (OpenID Connect Discovery 1.0 §4.3,
 * RFC 8414 §3.3): the issuer, the metadata its specification requires, the key set, then the endpoints.
 * A user's `issuerComparer` that throws is an `exception` refusal, never a rejection.
 */
export function checkPolicy(
  document: Record<string, unknown>,
  authority: string,
  profile: DiscoveryProfile,
  policy: DiscoveryPolicy,
): PolicyRefusal | undefined {
  const issuer = document.issuer as string;
  if (policy.validateIssuerName) {
    let matches: boolean;
    try {
      matches = policy.issuerComparer(authority, issuer);
    } catch (cause) {
      return { errorType: 'exception', error: "the discovery policy's issuerComparer threw", cause };
    }
    if (!matches) {
      return refuse(
        `issuer ${issuer} does not match the authority ${authority} (if this provider's issuer is right, ` +
          "set the discovery policy's authority, or its issuerComparer for an issuer template)",
      );
    }
  }
  if (policy.requireMetadata) {
    const tolerated = policy.requireKeySet
      ? policy.optionalMetadata
      : new Set([...policy.optionalMetadata, 'jwks_uri']);
    const missing = findMissingMetadata(document, profile, tolerated);
    if (missing.length > 0) {
      return refuse(
        `the document lacks metadata ${profileSpecification(profile)} requires: ${missing.join(', ')} ` +
          "(to accept this provider's document, list them in the discovery policy's optionalMetadata, " +
          'or set requireMetadata: false)',
      );
    }
  }
  if (policy.requireKeySet && document.jwks_uri === undefined) {
    return refuse(
      "the document has no jwks_uri (set the discovery policy's requireKeySet: false if no keys are needed)",
    );
  }
  const issuerUrl = new URL(issuer);
  for (const [name, value] of endpointsToCheck(document, policy)) {
    const url = new URL(value);
    const schemeProblem = policy.schemeViolation(url);
    if (schemeProblem) return refuse(`${name}: ${schemeProblem} (${schemeRemedy(url, policy)})`);
    // mTLS aliases live on their own host by design (RFC 8705 §5); only their scheme is checked.
    if (policy.validateEndpoints && !name.startsWith('mtls_') && !policy.isEndpointAllowed(url, issuerUrl)) {
      return refuse(
        `${name} (${url.origin}) is not on the issuer's authority or an allowed base address ` +
          "(list it in the discovery policy's additionalEndpointBaseAddresses, or set validateEndpoints: false)",
      );
    }
  }
  return undefined;
}
