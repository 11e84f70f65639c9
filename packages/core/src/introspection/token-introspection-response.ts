import { ProtocolResponse, type ProtocolResponseInit } from '../protocol/protocol-response.js';
import type { VerifiedSignedResponse } from '../protocol/signed-response.js';
import { type IntrospectionMembers, inactive } from './introspection-members.js';

/**
 * An introspection answer (RFC 7662 §2.2). An inactive token is a successful response with `isActive: false`
 * (the server answered; the token is not to be accepted). The RFC 7662 members are typed and only set for an
 * active token; every member the server sent is in `claims` (frozen). For an RFC 9701 signed answer the
 * members are those of its `token_introspection` claim, read only after the JWT verified, and
 * `signedResponse` holds the JWT's verified header and claims.
 */
export class TokenIntrospectionResponse extends ProtocolResponse {
  readonly isActive: boolean;
  readonly scope: string | undefined;
  /** `scope` split on spaces. */
  readonly scopes: readonly string[];
  readonly clientId: string | undefined;
  readonly username: string | undefined;
  readonly tokenType: string | undefined;
  /** Epoch seconds (a safe, non-negative integer). */
  readonly exp: number | undefined;
  readonly iat: number | undefined;
  readonly nbf: number | undefined;
  readonly sub: string | undefined;
  readonly aud: string | readonly string[] | undefined;
  readonly iss: string | undefined;
  readonly jti: string | undefined;
  /** RFC 7800 / RFC 8705 / RFC 9449 confirmation (`jkt`, `x5t#S256`), passed through. */
  readonly cnf: Readonly<Record<string, unknown>> | undefined;
  /** Every member as received, frozen. */
  readonly claims: Readonly<Record<string, unknown>>;
  /** The verified JWT of an RFC 9701 answer (its header and top-level claims). */
  readonly signedResponse: VerifiedSignedResponse | undefined;

  constructor(
    init: ProtocolResponseInit,
    members: IntrospectionMembers = inactive(),
    signedResponse?: VerifiedSignedResponse,
  ) {
    super(init);
    this.isActive = this.isSuccessful && members.isActive;
    this.scope = members.scope;
    this.scopes = members.scopes;
    this.clientId = members.clientId;
    this.username = members.username;
    this.tokenType = members.tokenType;
    this.exp = members.exp;
    this.iat = members.iat;
    this.nbf = members.nbf;
    this.sub = members.sub;
    this.aud = members.aud;
    this.iss = members.iss;
    this.jti = members.jti;
    this.cnf = members.cnf;
    this.claims = members.claims;
    this.signedResponse = signedResponse;
  }
}
