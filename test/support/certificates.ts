/**
 * X.509 material for mutual-TLS tests, made with the `openssl` CLI in a temporary directory at test time
 * (nothing is checked in, nothing outlives the test run):
 *
 *   const pki = await createTestPki();                 // a CA, and a server certificate for 127.0.0.1
 *   const client = await pki.issue('svc-tls');         // CA-signed client certificate, CN=svc-tls
 *   const self = await pki.selfSigned('svc-self');     // self-signed client certificate
 *   const locked = await pki.issue('svc-x', { passphrase: 'p' }); // its key encrypted (AES-256)
 *   await pki.cleanup();
 *
 * Keys are EC P-256 (fast to make). Certificates are valid for one day.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestCertificate {
  /** PEM certificate. */
  cert: string;
  /** PEM private key (PKCS#8; encrypted when a passphrase was asked for). */
  key: string;
  passphrase?: string;
  /** The subject's common name. */
  commonName: string;
}

export interface TestPki {
  dir: string;
  ca: TestCertificate;
  /** Server certificate for `127.0.0.1` (IP SAN) and `localhost`, signed by `ca`. */
  server: TestCertificate;
  /** A client certificate (`extendedKeyUsage = clientAuth`) signed by `ca`, or by `signer` when given. */
  issue(
    commonName: string,
    options?: { passphrase?: string; signer?: TestCertificate },
  ): Promise<TestCertificate>;
  /** A self-signed client certificate (RFC 8705 §2.2). */
  selfSigned(commonName: string): Promise<TestCertificate>;
  /** A second, unrelated CA (for certificates the server does not trust). */
  otherCa(): Promise<TestCertificate>;
  /** A self-signed certificate whose validity ended in January 2020. */
  expired(commonName: string): Promise<TestCertificate>;
  cleanup(): Promise<void>;
}

async function openssl(dir: string, args: string[]): Promise<void> {
  try {
    await run('openssl', args, { cwd: dir });
  } catch (error) {
    const err = error as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') {
      throw new Error('the openssl CLI is needed to make test certificates (apt-get install openssl)');
    }
    throw new Error(`openssl ${args[0]} failed: ${err.stderr ?? err.message}`);
  }
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

export async function createTestPki(): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), 'im-pki-'));
  let serial = 0;

  async function read(name: string, commonName: string): Promise<TestCertificate> {
    return {
      cert: await readFile(join(dir, `${name}.crt`), 'utf8'),
      key: await readFile(join(dir, `${name}.key`), 'utf8'),
      commonName,
    };
  }

  /**
   * A new EC key `name.key` and either a certificate request `name.csr` or, given `selfSigned` extensions, a
   * self-signed certificate `name.crt` (one day).
   */
  async function newKey(name: string, commonName: string, selfSigned?: string[]): Promise<void> {
    const output = selfSigned
      ? ['-x509', '-days', '1', '-out', `${name}.crt`, ...selfSigned.flatMap((e) => ['-addext', e])]
      : ['-out', `${name}.csr`];
    await openssl(dir, ['req', ...EC_KEY, '-keyout', `${name}.key`, '-subj', `/CN=${commonName}`, ...output]);
  }

  async function makeCa(name: string, commonName: string): Promise<TestCertificate> {
    await newKey(name, commonName, [
      'basicConstraints=critical,CA:TRUE',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    return read(name, commonName);
  }

  async function signed(
    name: string,
    commonName: string,
    extensions: string,
    signer: TestCertificate,
  ): Promise<TestCertificate> {
    const signerName = `signer-${++serial}`;
    await writeFile(join(dir, `${signerName}.crt`), signer.cert);
    await writeFile(join(dir, `${signerName}.key`), signer.key);
    await writeFile(join(dir, `${name}.ext`), extensions);
    await newKey(name, commonName);
    await openssl(dir, [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${signerName}.crt`,
      '-CAkey',
      `${signerName}.key`,
      '-set_serial',
      String(1000 + serial),
      '-days',
      '1',
      '-sha256',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.crt`,
    ]);
    return read(name, commonName);
  }

  const ca = await makeCa('ca', 'identity-model test CA');
  const server = await signed(
    'server',
    '127.0.0.1',
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n',
    ca,
  );
  const clientExtensions = 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n';

  return {
    dir,
    ca,
    server,
    async issue(commonName, { passphrase, signer = ca } = {}) {
      const name = `client-${++serial}`;
      const issued = await signed(name, commonName, clientExtensions, signer);
      if (passphrase === undefined) return issued;
      await openssl(dir, [
        'pkcs8',
        '-topk8',
        '-in',
        `${name}.key`,
        '-out',
        `${name}.enc.key`,
        '-v2',
        'aes-256-cbc',
        '-passout',
        `pass:${passphrase}`,
      ]);
      return { ...issued, key: await readFile(join(dir, `${name}.enc.key`), 'utf8'), passphrase };
    },
    async selfSigned(commonName) {
      const name = `self-${++serial}`;
      await newKey(name, commonName, ['extendedKeyUsage=clientAuth']);
      return read(name, commonName);
    },
    async otherCa() {
      return makeCa(`other-ca-${++serial}`, 'untrusted test CA');
    },
    async expired(commonName) {
      // `openssl req` cannot back-date; `openssl ca` can, given a minimal configuration and database.
      const name = `expired-${++serial}`;
      await writeFile(join(dir, `${name}.index`), '');
      await writeFile(join(dir, `${name}.serial`), '01\n');
      await writeFile(
        join(dir, `${name}.cnf`),
        `[ca]\ndefault_ca=test\n[test]\ndatabase=${name}.index\nnew_certs_dir=.\nserial=${name}.serial\ndefault_md=sha256\npolicy=any\nunique_subject=no\n[any]\ncommonName=supplied\n`,
      );
      await newKey(name, commonName);
      await openssl(dir, [
        'ca',
        '-batch',
        '-notext',
        '-config',
        `${name}.cnf`,
        '-selfsign',
        '-keyfile',
        `${name}.key`,
        '-in',
        `${name}.csr`,
        '-startdate',
        '20200101000000Z',
        '-enddate',
        '20200102000000Z',
        '-out',
        `${name}.crt`,
      ]);
      return read(name, commonName);
    },
    async cleanup() {
      await rm(dir, { recursive: true, force: true });
    },
  };
}
