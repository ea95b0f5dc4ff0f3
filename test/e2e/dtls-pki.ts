/**
 * Certificates for the DTLS end-to-end tests, made with the openssl CLI in a temp dir: EC P-256
 * CAs, and leaf certificates they issue (device certificates with CN = endpoint name, server
 * certificates with SAN IP:127.0.0.1).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Issued {
  readonly certPem: string;
  readonly keyPem: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** Serial number as openssl prints it (uppercase hex). */
  readonly serial: string;
}

export class TestPki {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handover-e2e-pki-'));

  /** A self-signed CA; its PEM. */
  ca(name: string, cn: string): { pem: string; file: string } {
    this.openssl([
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
      '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '30', '-subj', `/CN=${cn}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    return { pem: this.read(`${name}.pem`), file: path.join(this.dir, `${name}.pem`) };
  }

  /** A leaf certificate issued by CA `ca`; subject "/CN=<cn>[/serialNumber=<cn>]". */
  leaf(name: string, ca: string, opts: { cn: string; server?: boolean }): Issued {
    const ext = opts.server
      ? 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n'
      : 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n';
    fs.writeFileSync(path.join(this.dir, `${name}.ext`), ext);
    const subj = opts.server ? `/CN=${opts.cn}` : `/CN=${opts.cn}/serialNumber=${opts.cn}`;
    this.openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subj]);
    this.openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.pem`, '-days', '30', '-extfile', `${name}.ext`]);
    const serial = execFileSync('openssl', ['x509', '-in', `${name}.pem`, '-noout', '-serial'], { cwd: this.dir }).toString().trim().replace(/^serial=/, '');
    return {
      certPem: this.read(`${name}.pem`), keyPem: this.read(`${name}.key`),
      certFile: path.join(this.dir, `${name}.pem`), keyFile: path.join(this.dir, `${name}.key`), serial,
    };
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private read(file: string): string {
    return fs.readFileSync(path.join(this.dir, file), 'utf8');
  }

  private openssl(args: string[]): void {
    execFileSync('openssl', args, { cwd: this.dir, stdio: 'pipe' });
  }
}
