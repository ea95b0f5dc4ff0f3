/**
 * Test PKI made with the openssl CLI in a temp dir: an EC P-256 CA, a server certificate
 * (CN=localhost, SAN DNS:localhost + IP:127.0.0.1), a client certificate (CN and SAN URI
 * urn:dev:ops:test-1), and a rogue CA with a client certificate of its own.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TestPki {
  readonly dir: string;
  /** File paths (for libcoap) and PEM text (for our sockets) of each item. */
  readonly files: Record<'ca' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey' | 'rogueCa' | 'rogueCert' | 'rogueKey', string>;
  readonly pem: Record<'ca' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey' | 'rogueCa' | 'rogueCert' | 'rogueKey', string>;
  remove(): void;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

function makeCa(dir: string, name: string, cn: string): void {
  openssl(dir, [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '30', '-subj', `/CN=${cn}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
}

function makeLeaf(dir: string, name: string, ca: string, cn: string, san: string): void {
  fs.writeFileSync(
    path.join(dir, `${name}.ext`),
    `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=${san}\n`,
  );
  openssl(dir, ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.pem`, '-days', '30', '-extfile', `${name}.ext`]);
}

export function makeTestPki(): TestPki {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handover-dtls-pki-'));
  makeCa(dir, 'ca', 'Handover Test CA');
  makeLeaf(dir, 'server', 'ca', 'localhost', 'DNS:localhost,IP:127.0.0.1');
  makeLeaf(dir, 'client', 'ca', 'urn:dev:ops:test-1', 'URI:urn:dev:ops:test-1');
  makeCa(dir, 'rogue-ca', 'Rogue CA');
  makeLeaf(dir, 'rogue', 'rogue-ca', 'urn:dev:ops:rogue', 'URI:urn:dev:ops:rogue');
  const files = {
    ca: 'ca.pem', serverCert: 'server.pem', serverKey: 'server.key', clientCert: 'client.pem', clientKey: 'client.key',
    rogueCa: 'rogue-ca.pem', rogueCert: 'rogue.pem', rogueKey: 'rogue.key',
  } as const;
  const abs = Object.fromEntries(Object.entries(files).map(([k, f]) => [k, path.join(dir, f)])) as TestPki['files'];
  const pem = Object.fromEntries(Object.entries(abs).map(([k, f]) => [k, fs.readFileSync(f, 'utf8')])) as TestPki['pem'];
  return { dir, files: abs, pem, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
