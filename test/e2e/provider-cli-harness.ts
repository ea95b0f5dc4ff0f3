/**
 * What the provider-CLI tests set up on disk and in processes, the way an operator would: a PKI
 * (the CA hierarchy of Fig. 1a in a directory, keys 0600), the files each provider's
 * configuration names (keys 0600, certificates, API tokens 0600), the two configuration files,
 * simulated devices onboarded with SP1 (factory certificate + CA1 certificate, registering over
 * DTLS, joining SP2 through SP2's bootstrap server: `sp2.bootstrap` is configured), and `handover sp1|sp2 serve` as child processes running our
 * TypeScript through test/helpers/ts-register.js, as scripts/handover.js runs the built CLI.
 *
 * With `{ firmware: true }` the world's SUIT firmware too (scripts/demo/world/firmware.ts): SP1's
 * firmware repository (an update server run here, serving SP1's build at the reference URI the
 * fleet file names), SP2's build and image in SP2's update directory (`sp2.update`, envelope
 * fw/sp2.suit), SP2's RA server (`sp2.ra`: the factory root, SP1's firmware signer) and SP2's
 * manifest signer as update-server anchor; devices are then flashed with SP1's build.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createWriteStream, mkdirSync, writeFileSync, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { LwM2mClient } from '../../client-sim/client';
import { createTransferAgent, type TransferAgent } from '../../client-sim/transfer/index';
import { certificatePem } from '../../common/pki/index';
import { createDeviceCredentials, createWorldPki, intermediatesPem, keyPem, type DeviceCredentials, type WorldPki } from '../../scripts/demo/world/credentials';
import { WORLD_RECIPIENT, createWorldFirmware, suitDirOf, type WorldFirmware } from '../../scripts/demo/world/firmware';
import { SuitUpdateServer } from '../../plugin/update-server/update-server';

export const REPO = path.resolve(__dirname, '../..');
const TS_REGISTER = path.join(REPO, 'test/helpers/ts-register.js');
/** The CLI entry as scripts/handover.js, on the TypeScript sources. */
const ENTRY = `require(${JSON.stringify(path.join(REPO, 'scripts/cli/main.ts'))}).runCli(process.argv.slice(1)).then((c) => { process.exitCode = c; });`;

export async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((ok) => s.bind(0, '127.0.0.1', () => ok()));
  const { port } = s.address();
  await new Promise<void>((ok) => s.close(() => ok()));
  return port;
}

export async function freeTcpPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', () => ok()));
  const { port } = s.address() as { port: number };
  await new Promise<void>((ok) => s.close(() => ok()));
  return port;
}

function secret(file: string, data: string): string {
  writeFileSync(file, data, { mode: 0o600 });
  return file;
}

function open(file: string, data: string): string {
  writeFileSync(file, data, { mode: 0o644 });
  return file;
}

export interface ProviderSetup {
  readonly dir: string;
  readonly pki: WorldPki;
  readonly sp1Config: string;
  readonly sp2Config: string;
  /** The parsed JSON written to each (tests derive broken variants from them). */
  readonly sp1Json: Record<string, unknown>;
  readonly sp2Json: Record<string, unknown>;
  readonly ports: { sp1Api: number; sp2Api: number; sp1Coaps: number; sp2Coaps: number; sp1Http: number; sp2Http: number; est: number; sp2Bootstrap: number; sp2Update: number; sp2Ra: number };
  /** With { firmware: true }: the builds, and SP1's firmware repository serving SP1's build (close it). */
  readonly firmware?: WorldFirmware;
  readonly sp1Repository?: SuitUpdateServer;
  /** REST tokens of the two LwM2M servers (to look at registrations). */
  readonly sp1RestToken: string;
  readonly sp2RestToken: string;
  readonly files: Record<string, string>;
}

/** The PKI and every file of both providers' configurations under `dir` (created 0700). */
export async function createProviderSetup(dir: string, redisUrl: string, keyPrefix: string, opts: { firmware?: boolean } = {}): Promise<ProviderSetup> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pki = await createWorldPki(path.join(dir, 'pki'));
  const h = pki.hierarchy;
  const d1 = path.join(dir, 'sp1');
  const d2 = path.join(dir, 'sp2');
  mkdirSync(d1, { mode: 0o700 });
  mkdirSync(d2, { mode: 0o700 });
  const factoryRootsPem = h.initialTrustAnchors.map((a) => certificatePem(a)).join('');
  const token = () => randomBytes(24).toString('base64url');
  const sp1RestToken = token();
  const sp2RestToken = token();
  const sp1ApiToken = token();
  const sp2ApiToken = token();
  const files = {
    sp1SignerKey: secret(path.join(d1, 'signer.key'), keyPem(pki.sp1Signer.privateKey)),
    sp1SignerCert: open(path.join(d1, 'signer.pem'), certificatePem(pki.sp1Signer.certificate)),
    sp1ServerChain: open(path.join(d1, 'server.pem'), pki.sp1Server.certChainPem),
    sp1ServerKey: secret(path.join(d1, 'server.key'), pki.sp1Server.keyPem),
    sp1Trusted: open(path.join(d1, 'trusted-ca.pem'), pki.chainPem(h.ca1) + factoryRootsPem),
    sp1RestToken: secret(path.join(d1, 'rest.token'), `${sp1RestToken}\n`),
    sp1ApiToken: secret(path.join(d1, 'api.token'), `${sp1ApiToken}\n`),
    sp2PeerToken: secret(path.join(d2, 'sp1-api.token'), `${sp1ApiToken}\n`),
    sp1PeerKey: open(path.join(d1, 'sp2-signer.pub.pem'), pki.sp2Signer.publicKey.export({ type: 'spki', format: 'pem' }).toString()),
    sp2SignerKey: secret(path.join(d2, 'signer.key'), keyPem(pki.sp2Signer.privateKey)),
    sp2PeerCert: open(path.join(d2, 'sp1-signer.pem'), certificatePem(pki.sp1Signer.certificate)),
    sp2ServerChain: open(path.join(d2, 'server.pem'), pki.sp2Server.certChainPem),
    sp2ServerKey: secret(path.join(d2, 'server.key'), pki.sp2Server.keyPem),
    sp2Trusted: open(path.join(d2, 'trusted-ca.pem'), pki.chainPem(h.ca2)),
    sp2EstChain: open(path.join(d2, 'est.pem'), pki.ca2Est.certChainPem),
    sp2EstKey: secret(path.join(d2, 'est.key'), pki.ca2Est.keyPem),
    sp2EstTrusted: open(path.join(d2, 'est-trusted-ca.pem'), factoryRootsPem + pki.chainPem(h.ca2)),
    sp2BootstrapChain: open(path.join(d2, 'bootstrap.pem'), pki.sp2Server.certChainPem),
    sp2BootstrapKey: secret(path.join(d2, 'bootstrap.key'), pki.sp2Server.keyPem),
    sp2RestToken: secret(path.join(d2, 'rest.token'), `${sp2RestToken}\n`),
    sp2ApiToken: secret(path.join(d2, 'api.token'), `${sp2ApiToken}\n`),
    sp1PeerToken: secret(path.join(d1, 'sp2-api.token'), `${sp2ApiToken}\n`),
  };
  const udp = new Set<number>();
  while (udp.size < 6) udp.add(await freeUdpPort()); // six different ones (the configuration refuses a shared port)
  const [sp1Coaps, sp2Coaps, est, sp2Bootstrap, sp2Update, sp2Ra] = [...udp];
  const ports = {
    sp1Api: await freeTcpPort(), sp2Api: await freeTcpPort(), sp1Http: await freeTcpPort(), sp2Http: await freeTcpPort(),
    sp1Coaps, sp2Coaps, est, sp2Bootstrap, sp2Update, sp2Ra,
  };
  let firmware: WorldFirmware | undefined;
  let sp1Repository: SuitUpdateServer | undefined;
  let firmwareSections: Record<string, unknown> = {};
  if (opts.firmware) {
    // The builds' URIs name SP2's update server at its configured port: a stand-in there while they are built.
    sp1Repository = await new SuitUpdateServer().start();
    const standIn = await new SuitUpdateServer({ port: sp2Update }).start();
    try {
      firmware = await createWorldFirmware(pki, sp1Repository, standIn);
    } finally {
      await standIn.close();
    }
    const fwDir = path.join(d2, 'firmware');
    mkdirSync(path.join(fwDir, 'fw'), { recursive: true, mode: 0o700 });
    writeFileSync(path.join(fwDir, 'fw', 'sp2.suit'), firmware.sp2.envelope);
    writeFileSync(path.join(fwDir, 'fw', 'sp2.bin'), firmware.sp2.image);
    const factoryRoot = h.factoryCa.chain[h.factoryCa.chain.length - 1];
    Object.assign(files, {
      sp2FactoryRoot: open(path.join(d2, 'factory-root.pem'), certificatePem(factoryRoot)),
      sp2Sp1FirmwareSigner: open(path.join(d2, 'sp1-firmware-signer.pem'), certificatePem(firmware.sp1Signer.certificate)),
      sp2UpdateSigner: open(path.join(d2, 'update-signer.pem'), certificatePem(firmware.sp2Signer.certificate)),
    });
    const f = files as Record<string, string>;
    firmwareSections = {
      update: { port: sp2Update, directory: 'firmware', envelope: 'fw/sp2.suit' },
      ra: { port: sp2Ra, factoryTrust: path.relative(d2, f.sp2FactoryRoot), manifestSigners: path.relative(d2, f.sp2Sp1FirmwareSigner) },
      anchors: { updateServer: path.relative(d2, f.sp2UpdateSigner) },
    };
  }
  // Paths relative to each configuration's directory, as an operator would keep them.
  const rel = (from: string, f: string) => path.relative(from, f);
  const sp1Json = {
    role: 'sp1', identity: 'sp1.example', redisUrl, keyPrefix,
    signer: { key: rel(d1, files.sp1SignerKey), certificate: rel(d1, files.sp1SignerCert) },
    peer: { identity: 'sp2.example', publicKey: rel(d1, files.sp1PeerKey) },
    api: { port: ports.sp1Api, tokenFile: rel(d1, files.sp1ApiToken), peerUrl: `http://127.0.0.1:${ports.sp2Api}`, peerTokenFile: rel(d1, files.sp1PeerToken) },
    dm: { server: { coapsPort: ports.sp1Coaps, httpPort: ports.sp1Http, restTokenFile: rel(d1, files.sp1RestToken), certChain: rel(d1, files.sp1ServerChain), key: rel(d1, files.sp1ServerKey), trustedCa: rel(d1, files.sp1Trusted) } },
    sp1: { ca1Dir: rel(d1, path.join(dir, 'pki', 'ca1')), campaigns: { lockDurationMs: 4000, stalledIntervalMs: 1000, parkTimeoutMs: 5000, pollMs: 250 } },
  };
  const sp2Json = {
    role: 'sp2', identity: 'sp2.example', redisUrl, keyPrefix,
    signer: { key: rel(d2, files.sp2SignerKey) },
    peer: { identity: 'sp1.example', publicKey: rel(d2, files.sp2PeerCert) },
    api: { port: ports.sp2Api, tokenFile: rel(d2, files.sp2ApiToken), peerUrl: `http://127.0.0.1:${ports.sp1Api}`, peerTokenFile: rel(d2, files.sp2PeerToken) },
    dm: { server: { coapsPort: ports.sp2Coaps, httpPort: ports.sp2Http, restTokenFile: rel(d2, files.sp2RestToken), certChain: rel(d2, files.sp2ServerChain), key: rel(d2, files.sp2ServerKey), trustedCa: rel(d2, files.sp2Trusted) } },
    sp2: {
      ca2Dir: rel(d2, path.join(dir, 'pki', 'ca2')),
      est: { port: ports.est, certChain: rel(d2, files.sp2EstChain), key: rel(d2, files.sp2EstKey), trustedCa: rel(d2, files.sp2EstTrusted) },
      // With firmware the update URI is the envelope on SP2's update server (sp2.update.envelope).
      transferMessage: opts.firmware ? { windowHours: 2 } : { updateUri: 'coaps://fw.sp2.example/fw/sp2.suit', windowHours: 2 },
      // SP2's bootstrap server: devices authenticate with their CA2 certificates (as at SP2's server).
      bootstrap: { port: ports.sp2Bootstrap, certChain: rel(d2, files.sp2BootstrapChain), key: rel(d2, files.sp2BootstrapKey), trustedCa: rel(d2, files.sp2Trusted), lifetime: 60 },
      ...firmwareSections,
    },
  };
  const sp1Config = secret(path.join(d1, 'sp1.json'), JSON.stringify(sp1Json, null, 2));
  const sp2Config = secret(path.join(d2, 'sp2.json'), JSON.stringify(sp2Json, null, 2));
  return { dir, pki, sp1Config, sp2Config, sp1Json, sp2Json, ports, sp1RestToken, sp2RestToken, files, ...(firmware ? { firmware } : {}), ...(sp1Repository ? { sp1Repository } : {}) };
}

export interface CliDevice {
  readonly id: string;
  readonly credentials: DeviceCredentials;
  readonly client: LwM2mClient;
  readonly agent: TransferAgent;
  /** With firmware: where its SUIT state lives (installedFirmware()). */
  readonly suitDir?: string;
}

/**
 * A device onboarded with SP1 (factory identity, CA1 certificate) that joins SP2 through the join
 * URI's bootstrap server; with `firmware`, flashed with SP1's build and running SUIT (it can
 * attest and update).
 */
export async function createCliDevice(pki: WorldPki, deviceId: string, sp1Uri: string, stateDir: string, firmware?: WorldFirmware): Promise<CliDevice> {
  const h = pki.hierarchy;
  const c = await createDeviceCredentials(pki, deviceId);
  const suitDir = firmware && suitDirOf(stateDir, deviceId);
  if (firmware && suitDir) await firmware.flash(suitDir, firmware.current);
  const agent = createTransferAgent({
    deviceId, joinBootstrap: true, fallbackBootstrap: false,
    factory: { privateKey: c.factory.privateKey, certificate: c.factory.certificate, chain: h.factoryCa.chain.slice(0, -1) },
    operational: { privateKey: c.operational.privateKey, certificate: c.operational.certificate, chain: h.ca1.chain.slice(0, -1) },
    stateFile: path.join(stateDir, `${deviceId.replace(/:/g, '_')}.transfer.json`),
    retry: { attempts: 5, backoffMs: 1000, maxBackoffMs: 8000 },
    ...(firmware && suitDir ? { suit: { recipient: WORLD_RECIPIENT, stateDir: suitDir, trustStore: firmware.deviceTrustStore, blockSize: 1024, timeoutMs: 20_000 } } : {}),
  });
  const client = new LwM2mClient({
    endpoint: deviceId, serverUri: sp1Uri,
    security: { mode: 'x509', certChainPem: certificatePem(c.operational.certificate) + intermediatesPem(h.ca1), keyPem: keyPem(c.operational.privateKey), caPem: pki.chainPem(h.ca1) },
    lifetime: 60, objects: agent.objects, stateFile: path.join(stateDir, `${deviceId.replace(/:/g, '_')}.lwm2m.json`),
    requestTimeout: 10_000, retryDelay: 500, maxRetryDelay: 3000,
  });
  agent.attach(client);
  return { id: deviceId, credentials: c, client, agent, ...(suitDir ? { suitDir } : {}) };
}

/** A `handover …` child process; `ready` resolves with the first line it prints on stdout (JSON with --json). */
export class CliChild {
  private child?: ChildProcess;
  private log?: WriteStream;
  starts = 0;

  constructor(readonly name: string, readonly argv: readonly string[], readonly logFile: string) {}

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(timeoutMs = 60_000): Promise<Record<string, unknown>> {
    this.log ??= createWriteStream(this.logFile, { flags: 'a' });
    const log = this.log;
    this.starts++;
    const child = spawn(process.execPath, ['-r', TS_REGISTER, '-e', ENTRY, ...this.argv], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    this.child = child;
    child.stderr!.pipe(log, { end: false });
    return new Promise((resolve, reject) => {
      let buf = '';
      let settled = false;
      const settle = (f: () => void) => { if (!settled) { settled = true; clearTimeout(timer); f(); } };
      const timer = setTimeout(() => settle(() => { child.kill('SIGKILL'); reject(new Error(`${this.name} not ready within ${timeoutMs} ms (see ${this.logFile})`)); }), timeoutMs);
      child.stdout!.on('data', (chunk: Buffer) => {
        log.write(chunk);
        buf += chunk.toString('utf8');
        const nl = buf.indexOf('\n');
        if (nl >= 0) settle(() => { try { resolve(JSON.parse(buf.slice(0, nl)) as Record<string, unknown>); } catch (e) { reject(e as Error); } });
      });
      child.on('exit', (code, sig) => {
        log.write(`---- ${this.name} exited (${sig ?? code})\n`);
        settle(() => reject(new Error(`${this.name} exited (${sig ?? code}) before it was ready (see ${this.logFile})`)));
      });
    });
  }

  /** SIGTERM; resolves with the exit code (null: it had to be killed after graceMs). */
  async stop(graceMs = 10_000): Promise<number | null> {
    const child = this.child;
    if (!child || !this.running) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
    const code = await exited;
    clearTimeout(t);
    return code;
  }

  /** kill -9. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
    child.kill('SIGKILL');
    await exited;
  }

  async close(): Promise<void> {
    await this.stop();
    await new Promise<void>((ok) => { if (this.log) this.log.end(ok); else ok(); });
    this.log = undefined;
  }
}
