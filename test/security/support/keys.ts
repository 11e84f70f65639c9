/** Keys an attacker holds: their own RSA/EC/Ed25519 pairs, a weak 1024-bit RSA pair, a self-signed certificate. */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Public JWK with `kid` (and `use: sig`). */
  publicJwk: Record<string, unknown>;
  kid: string;
}

function pair(kind: 'rsa' | 'ec' | 'ed25519', kid: string, bits = 2048): KeyPair {
  const { privateKey, publicKey } =
    kind === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: bits })
      : kind === 'ec'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : generateKeyPairSync('ed25519');
  const publicJwk = { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig' };
  return { privateKey, publicKey, publicJwk, kid };
}

export interface AttackerKeys {
  rsa: KeyPair;
  ec: KeyPair;
  ed: KeyPair;
  weakRsa: KeyPair;
  /** base64 DER of a self-signed certificate for `rsa` (an `x5c` entry). */
  certificateB64: string;
  certificatePem: string;
}

let cached: AttackerKeys | undefined;

export function attackerKeys(): AttackerKeys {
  if (cached) return cached;
  const rsa = pair('rsa', 'attacker-rsa');
  const dir = mkdtempSync(join(tmpdir(), 'im-attacker-'));
  try {
    const keyFile = join(dir, 'key.pem');
    writeFileSync(keyFile, rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const certificatePem = execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-new',
        '-key',
        keyFile,
        '-subj',
        '/CN=attacker.example',
        '-days',
        '2',
        '-outform',
        'PEM',
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    ).toString();
    const certificateB64 = certificatePem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
    cached = {
      rsa,
      ec: pair('ec', 'attacker-ec'),
      ed: pair('ed25519', 'attacker-ed'),
      weakRsa: pair('rsa', 'weak-rsa-1024', 1024),
      certificateB64,
      certificatePem,
    };
    return cached;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
