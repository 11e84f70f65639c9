/** Reading a compact JWS or JWE without verifying anything: for display only. */

export type DecodedToken =
  | { kind: 'jws'; header: Record<string, unknown>; claims: Record<string, unknown>; signatureBytes: number }
  | { kind: 'jwe'; header: Record<string, unknown> };

/** Why a string is not a readable JWT, in words that quote nothing of it. */
export class NotAJwtError extends Error {
  override readonly name = 'NotAJwtError';
}

const SEGMENT = /^[A-Za-z0-9_-]*$/;

function decodeObject(segment: string, what: string): Record<string, unknown> {
  if (!SEGMENT.test(segment) || segment === '') throw new NotAJwtError(`the ${what} is not base64url`);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw new NotAJwtError(`the ${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new NotAJwtError(`the ${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** Header and claims of a compact JWS (3 parts), or the header of a JWE (5 parts, claims encrypted). */
export function decodeJwt(token: string): DecodedToken {
  const parts = token.split('.');
  if (parts.length === 5) return { kind: 'jwe', header: decodeObject(parts[0]!, 'header') };
  if (parts.length !== 3) {
    throw new NotAJwtError(
      `a JWT has 3 dot-separated parts (5 when encrypted), this has ${parts.length}: an opaque token? ` +
        'try identity-model introspect',
    );
  }
  const header = decodeObject(parts[0]!, 'header');
  const claims = decodeObject(parts[1]!, 'payload');
  if (!SEGMENT.test(parts[2]!)) throw new NotAJwtError('the signature is not base64url');
  return { kind: 'jws', header, claims, signatureBytes: Buffer.from(parts[2]!, 'base64url').length };
}
