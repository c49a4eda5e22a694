import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as selfsigned from 'selfsigned';

/**
 * Finds the repository root (the nearest folder above this file holding a package.json), so the
 * default data folder is the same whether the code runs from `emulator/` or `dist/emulator/`.
 */
export function repoRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

/** The default data folder `<repo>/.emulator` (git-ignored). */
export function defaultDataDir(): string {
  return path.join(repoRoot(), '.emulator');
}

/** Writes a file atomically (temp file + rename) so parallel processes never read half a PEM. */
function writeAtomic(file: string, content: string, mode = 0o600): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, content, { mode });
  fs.renameSync(tmp, file);
}

/** True when the PEM certificate exists, parses and stays valid for at least another day. */
function usableCertificate(certFile: string, keyFile: string): boolean {
  try {
    const cert = new crypto.X509Certificate(fs.readFileSync(certFile));
    crypto.createPrivateKey(fs.readFileSync(keyFile));
    return new Date(cert.validTo).getTime() > Date.now() + 24 * 3600 * 1000;
  } catch {
    return false;
  }
}

/**
 * Creates (or reuses) the emulator's self-signed TLS certificate for 127.0.0.1, ::1 and
 * localhost under `<dataDir>/tls/{cert,key}.pem`. `npm test` calls it before mocha starts so
 * NODE_EXTRA_CA_CERTS can point at the certificate (Node reads that variable only at start-up).
 * Returns the two file paths.
 */
export async function ensureCertificate(dataDir: string = defaultDataDir()): Promise<{ certPath: string; keyPath: string }> {
  const certPath = path.join(dataDir, 'tls', 'cert.pem');
  const keyPath = path.join(dataDir, 'tls', 'key.pem');
  if (usableCertificate(certPath, keyPath)) return { certPath, keyPath };
  const notAfterDate = new Date(Date.now() + 5 * 365 * 24 * 3600 * 1000);
  const pems = await selfsigned.generate(
    [
      { name: 'commonName', value: '127.0.0.1' },
      { name: 'organizationName', value: 'Teams Migration Bot emulator' },
    ],
    {
      keySize: 2048,
      algorithm: 'sha256',
      notAfterDate,
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [
            { type: 7, ip: '127.0.0.1' },
            { type: 7, ip: '::1' },
            { type: 2, value: 'localhost' },
          ],
        },
      ],
    },
  );
  // Key first, then certificate: a reader that sees the new certificate always finds its key.
  writeAtomic(keyPath, pems.private);
  writeAtomic(certPath, pems.cert, 0o644);
  return { certPath, keyPath };
}

/** An app's client certificate: the PEM file (key + certificate) and what Entra knows of it. */
export interface AppCertificate {
  pemPath: string;
  certificatePem: string;
  privateKeyPem: string;
  publicKey: crypto.KeyObject;
  /** hex SHA-1 thumbprint (upper case, no colons) */
  thumbprint: string;
  /** hex SHA-256 thumbprint */
  thumbprintSha256: string;
}

/**
 * Creates (or reuses) an app's client certificate at `<dataDir>/apps/<name>.pem` holding the
 * private key followed by the certificate, as an admin would export it for MSAL.
 */
export async function ensureAppCertificate(dataDir: string, name: string): Promise<AppCertificate> {
  const pemPath = path.join(dataDir, 'apps', `${name}.pem`);
  let content = fs.existsSync(pemPath) ? fs.readFileSync(pemPath, 'utf8') : '';
  let parsed = parseKeyAndCert(content);
  if (!parsed || new Date(parsed.cert.validTo).getTime() < Date.now() + 24 * 3600 * 1000) {
    const pems = await selfsigned.generate([{ name: 'commonName', value: `${name}.emulator.local` }], {
      keySize: 2048,
      algorithm: 'sha256',
      notAfterDate: new Date(Date.now() + 5 * 365 * 24 * 3600 * 1000),
    });
    content = `${pems.private.trim()}\n${pems.cert.trim()}\n`;
    writeAtomic(pemPath, content);
    parsed = parseKeyAndCert(content);
    if (!parsed) throw new Error(`could not parse the generated certificate for ${name}`);
  }
  return {
    pemPath,
    certificatePem: parsed.certPem,
    privateKeyPem: parsed.keyPem,
    publicKey: parsed.cert.publicKey,
    thumbprint: parsed.cert.fingerprint.replace(/:/g, ''),
    thumbprintSha256: parsed.cert.fingerprint256.replace(/:/g, ''),
  };
}

function parseKeyAndCert(content: string): { keyPem: string; certPem: string; cert: crypto.X509Certificate } | null {
  const key = /-----BEGIN (?:RSA )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA )?PRIVATE KEY-----/.exec(content);
  const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(content);
  if (!key || !cert) return null;
  try {
    crypto.createPrivateKey(key[0]);
    return { keyPem: `${key[0]}\n`, certPem: `${cert[0]}\n`, cert: new crypto.X509Certificate(cert[0]) };
  } catch {
    return null;
  }
}
