import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createTestPki, type TestPki } from '../../../../test/support/certificates.js';
import {
  CertificateError,
  certificateThumbprint,
  MAX_CERTIFICATE_BYTES,
  parseCertificate,
} from '../../src/mtls/index.js';

describe('RFC 8705 §3.1 certificate thumbprint (x5t#S256)', () => {
  let pki: TestPki;
  before(async () => {
    pki = await createTestPki();
  });
  after(() => pki.cleanup());

  test('equals the SHA-256 fingerprint openssl computes over the DER, as unpadded base64url', async () => {
    const client = await pki.issue('svc-thumbprint');
    const file = join(pki.dir, 'thumbprint.crt');
    writeFileSync(file, client.cert);
    const out = execFileSync('openssl', ['x509', '-in', file, '-noout', '-fingerprint', '-sha256'], {
      encoding: 'utf8',
    });
    const hex = out.trim().split('=')[1]?.replaceAll(':', '') ?? '';
    const expected = Buffer.from(hex, 'hex').toString('base64url');
    assert.equal(certificateThumbprint(client.cert), expected);
    assert.match(expected, /^[A-Za-z0-9_-]{43}$/);
  });

  test('PEM text, a PEM Buffer, DER bytes and an X509Certificate give the same thumbprint', async () => {
    const client = await pki.issue('svc-forms');
    const x509 = new X509Certificate(client.cert);
    const pem = certificateThumbprint(client.cert);
    assert.equal(certificateThumbprint(Buffer.from(client.cert)), pem);
    assert.equal(certificateThumbprint(x509.raw), pem);
    assert.equal(certificateThumbprint(x509), pem);
    assert.notEqual(certificateThumbprint(pki.ca.cert), pem);
  });

  test('of a PEM chain, the leaf (first) certificate is the one thumbprinted', async () => {
    const client = await pki.issue('svc-chain');
    assert.equal(certificateThumbprint(`${client.cert}${pki.ca.cert}`), certificateThumbprint(client.cert));
  });

  test('garbage is a CertificateError that does not echo the input', () => {
    const garbage = '-----BEGIN CERTIFICATE-----\nc2VjcmV0LXZhbHVl\n-----END CERTIFICATE-----\n';
    for (const input of [garbage, Buffer.from('not der'), '']) {
      assert.throws(
        () => certificateThumbprint(input),
        (error: unknown) =>
          error instanceof CertificateError &&
          error.code === 'certificate_invalid' &&
          !error.message.includes('c2VjcmV0LXZhbHVl'),
      );
    }
    assert.throws(() => parseCertificate(42 as unknown as string), CertificateError);
  });

  test('an oversized input is refused before it is parsed (bounded)', () => {
    const huge = Buffer.alloc(MAX_CERTIFICATE_BYTES + 1, 0x30);
    assert.throws(() => certificateThumbprint(huge), /larger than 65536 bytes/);
  });
});
