import { ProtocolResponse, type ProtocolResponseInit } from '../protocol/protocol-response.js';
import type { AuthenticationChallenge } from '../token-management/injection-support.js';
import type { JwtHeader } from '../validation/types.js';
import { readStandardClaims, type StandardClaims } from './standard-claims.js';

export interface UserInfoResponseInit extends ProtocolResponseInit {
  /** The claims, when the answer was read and checked. */
  claims?: Readonly<Record<string, unknown>> | undefined;
  /** The challenges of a `WWW-Authenticate` header (a 401 or 403). */
  challenges?: readonly AuthenticationChallenge[] | undefined;
  /** The verified JOSE header of a signed (`application/jwt`) answer. */
  signedHeader?: Readonly<JwtHeader> | undefined;
}

const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});

// The typed standard claims are the members of `StandardClaims`, declared once there; the constructor sets them.
export interface UserInfoResponse extends StandardClaims {}

/**
 * A UserInfo answer (OIDC Core §5.3.2). On success `sub` is set (and equals `expectedSubject` when one was
 * given) and the standard claims of §5.1 are typed properties; `claims` holds every claim as received
 * (frozen), the standard ones included. A refused token comes back unsuccessful with the server's
 * `WWW-Authenticate` challenges parsed in `challenges` (RFC 6750 §3: `error`, `error_description` and
 * `error_uri` read from the Bearer challenge).
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface's members are all assigned in the constructor.
export class UserInfoResponse extends ProtocolResponse {
  readonly sub: string | undefined;
  /** Every claim as received (frozen); empty when the response is unsuccessful. */
  readonly claims: Readonly<Record<string, unknown>>;
  /** `WWW-Authenticate` challenges, lower-case scheme and parameter names. */
  readonly challenges: readonly AuthenticationChallenge[];
  /** Set when the answer was a signed JWT and verified. */
  readonly signedHeader: Readonly<JwtHeader> | undefined;

  constructor(init: UserInfoResponseInit) {
    super(init);
    const claims = this.isSuccessful ? (init.claims ?? EMPTY) : EMPTY;
    this.claims = claims;
    this.sub = typeof claims.sub === 'string' ? claims.sub : undefined;
    Object.assign(this, readStandardClaims(claims));
    this.challenges = Object.freeze([...(init.challenges ?? [])]);
    this.signedHeader = init.signedHeader;
  }
}
