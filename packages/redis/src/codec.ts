import type { StoredToken } from '@identity-model/core';
import { open, seal } from './encryption.js';

// Each value starts with its format so a reader never guesses: a plaintext value is not accepted by a store
// configured to encrypt (someone who can write to Redis must not be able to plant a token), and vice versa.
const PLAIN = 'p1:';
const SEALED = 'e1:';

export function encodeToken(token: StoredToken, keyName: string, encryptionKey: Buffer | undefined): string {
  const json = JSON.stringify({
    accessToken: token.accessToken,
    tokenType: token.tokenType,
    expiresAt: token.expiresAt,
    ...(token.scope === undefined ? {} : { scope: token.scope }),
  });
  return encodeText(json, keyName, encryptionKey);
}

/** Any string (an introspection result, a marker) framed, and sealed when the store encrypts. */
export function encodeText(text: string, keyName: string, encryptionKey: Buffer | undefined): string {
  if (!encryptionKey) return PLAIN + text;
  return SEALED + seal(encryptionKey, text, SEALED + keyName).toString('base64');
}

/** The string `encodeText` framed for this key name, or undefined for anything else (tampered, wrong key,
 *  moved from another key, or in the other format than the store's). */
export function decodeText(
  raw: string,
  keyName: string,
  encryptionKey: Buffer | undefined,
): string | undefined {
  if (encryptionKey) {
    if (!raw.startsWith(SEALED)) return undefined;
    return open(encryptionKey, Buffer.from(raw.slice(SEALED.length), 'base64'), SEALED + keyName);
  }
  return raw.startsWith(PLAIN) ? raw.slice(PLAIN.length) : undefined;
}

/** The token, or undefined for anything that is not a well-formed value written for this key name. */
export function decodeToken(
  raw: string,
  keyName: string,
  encryptionKey: Buffer | undefined,
): StoredToken | undefined {
  const json = decodeText(raw, keyName, encryptionKey);
  if (json === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  return toStoredToken(value);
}

function toStoredToken(value: unknown): StoredToken | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.accessToken !== 'string' || v.accessToken.length === 0) return undefined;
  if (typeof v.tokenType !== 'string' || v.tokenType.length === 0) return undefined;
  if (typeof v.expiresAt !== 'number' || !Number.isFinite(v.expiresAt)) return undefined;
  if (v.scope !== undefined && typeof v.scope !== 'string') return undefined;
  return {
    accessToken: v.accessToken,
    tokenType: v.tokenType,
    expiresAt: v.expiresAt,
    ...(v.scope === undefined ? {} : { scope: v.scope }),
  };
}
