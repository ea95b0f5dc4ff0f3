/**
 * Independent test material made with the openssl CLI in a temp dir: an EC P-256 CA, a device
 * certificate it issued, a CSR, a PKCS#8 key, and openssl's own certs-only PKCS#7 of the two
 * certificates (`openssl crl2pkcs7 -nocrl`), all DER.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface OpensslMaterial {
  readonly dir: string;
  readonly caCert: Buffer;
  readonly deviceCert: Buffer;
  readonly csr: Buffer;
  readonly key: Buffer;
  readonly certsOnly: Buffer;
  openssl(args: string[], input?: Buffer): Buffer;
  remove(): void;
}

export function makeOpensslMaterial(): OpensslMaterial {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handover-est-'));
  const openssl = (args: string[], input?: Buffer) => execFileSync('openssl', args, { cwd: dir, input, stdio: ['pipe', 'pipe', 'pipe'] });
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem',
    '-days', '30', '-subj', '/CN=EST Test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'dev.key', '-out', 'dev.csr.pem',
    '-subj', '/CN=dev-7/serialNumber=dev-7']);
  openssl(['x509', '-req', '-in', 'dev.csr.pem', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'dev.pem', '-days', '30']);
  openssl(['crl2pkcs7', '-nocrl', '-certfile', 'dev.pem', '-certfile', 'ca.pem', '-outform', 'DER', '-out', 'certs.p7b']);
  openssl(['req', '-in', 'dev.csr.pem', '-outform', 'DER', '-out', 'dev.csr']);
  openssl(['x509', '-in', 'dev.pem', '-outform', 'DER', '-out', 'dev.der']);
  openssl(['x509', '-in', 'ca.pem', '-outform', 'DER', '-out', 'ca.der']);
  openssl(['pkcs8', '-topk8', '-nocrypt', '-in', 'dev.key', '-outform', 'DER', '-out', 'dev.p8']);
  const read = (f: string) => fs.readFileSync(path.join(dir, f));
  return {
    dir, caCert: read('ca.der'), deviceCert: read('dev.der'), csr: read('dev.csr'), key: read('dev.p8'), certsOnly: read('certs.p7b'),
    openssl, remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
