import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ConfigurationError } from '@identity-model/core';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_HINT =
  'encryptionKey must be 32 bytes: a Buffer/Uint8Array, 64 hex characters, or base64/base64url of 32 bytes ' +
  "(generate one with: node -e \"console.log(require('node:crypto').randomBytes(32).toString('base64'))\")";

/** Accepts 32 raw bytes, or their hex or base64(url) text; anything else is a configuration mistake. */
export function parseEncryptionKey(key: unknown): Buffer {
  if (key instanceof Uint8Array) {
    if (key.byteLength !== KEY_BYTES)
      throw new ConfigurationError(`${KEY_HINT}; got ${key.byteLength} bytes`);
    return Buffer.from(key);
  }
  if (typeof key !== 'string') throw new ConfigurationError(KEY_HINT);
  const text = key.trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  // Node's base64 decoder skips invalid characters silently, so check the alphabet and length ourselves.
  if (/^[A-Za-z0-9+/_-]{43}={0,1}$/.test(text)) {
    const bytes = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (bytes.byteLength === KEY_BYTES) return bytes;
  }
  // Never echo the value: it is a secret.
  throw new ConfigurationError(`${KEY_HINT}; got a ${text.length}-character string`);
}

/** AES-256-GCM; `aad` binds the ciphertext to the Redis key it is stored under. Output: iv | tag | ciphertext. */
export function seal(key: Buffer, plaintext: string, aad: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

/** The plaintext, or undefined when the value was not sealed by this key for this Redis key. */
export function open(key: Buffer, sealed: Buffer, aad: string): string | undefined {
  if (sealed.byteLength < IV_BYTES + TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    return undefined;
  }
}
