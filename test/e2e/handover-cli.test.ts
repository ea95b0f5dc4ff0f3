/**
 * A whole PKI trust transfer driven through the operator CLI only: the PKI and both providers'
 * configuration files on disk, `handover sp1 serve` and `handover sp2 serve` as child processes,
 * four devices onboarded with SP1 (registered over DTLS with their CA1 certificates) and flashed
 * with SP1's SUIT firmware (served at the fleet file's reference URI by SP1's firmware
 * repository), SP2 configured with its bootstrap server (`sp2.bootstrap`: `sp2 serve` runs it,
 * `sp2 transfer-message` provisions the devices in Redis and makes it the join URI), its SUIT
 * update server (`sp2.update`: SP2's build, the default update URI) and its RA server (`sp2.ra`:
 * the default RA URI, so every device attests before enrolling), then
 *
 *   sp1 devices add → sp1 export (UIL file) → sp2 import → sp2 transfer-message (TM + anchors
 *   files) → sp1 accept → campaign create --start → campaign status --json until all final
 *
 * with `--update-first`, and in the middle of the campaign `sp1 serve` is killed with SIGKILL and
 * started again. Every device must end transferred, attested by SP2's RA server against the SUIT
 * state SP1 shared, running SP2's build from SP2's update server, having bootstrapped with SP2's bootstrap server (a Mode 4 account
 * for SP2's server), registered at SP2 with a certificate issued by CA2, its CA1 certificate
 * revoked; both services stop cleanly on SIGTERM (exit 0).
 */
import 'reflect-metadata';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CertificateAuthority, certificatePem } from '../../common/pki/index';
import type { CampaignProgress } from '../../plugin/campaign/index';
import { captureIo } from '../../scripts/cli/io';
import { BootstrapConfigStore } from '../../server/bootstrap/bootstrap-config-store';
import { ServerKeys } from '../../server/keys';
import { runCli } from '../../scripts/cli/main';
import { installedFirmware } from '../../scripts/demo/world/firmware';
import type { AttestationResult } from '../../plugin/ra/index';
import { cleanPrefix, randomPrefix, testRedis, testRedisUrl } from '../helpers/redis';
import { CliChild, createCliDevice, createProviderSetup, type CliDevice, type ProviderSetup } from './provider-cli-harness';

jest.setTimeout(240_000);

const DEVICES = 4;

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = captureIo();
  const code = await runCli(argv, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

async function ok(...argv: string[]): Promise<string> {
  const r = await cli(...argv);
  if (r.code !== 0) throw new Error(`handover ${argv.join(' ')} → ${r.code}: ${r.stderr}`);
  return r.stdout;
}

async function registration(restUrl: string, token: string, ep: string): Promise<{ certificate?: { issuer: string; serialNumber: string } } | undefined> {
  const res = await fetch(`${restUrl}/api/clients/${encodeURIComponent(ep)}`, { headers: { Authorization: `Bearer ${token}` } });
  const text = await res.text();
  if (res.status === 400 && text.startsWith('No registered client')) return undefined;
  if (res.status !== 200) throw new Error(`REST ${restUrl}: HTTP ${res.status} ${text}`);
  return JSON.parse(text) as { certificate?: { issuer: string; serialNumber: string } };
}

const dn = (s: string) => s.replace(/\s*,\s*|\n/g, ',');

describe('a trust transfer through `handover sp1|sp2` and files only', () => {
  const redis = testRedis();
  const prefix = randomPrefix('cli-transfer');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'handover-cli-'));
  const devices: CliDevice[] = [];
  let setup: ProviderSetup;
  let sp1: CliChild;
  let sp2: CliChild;

  afterAll(async () => {
    await Promise.all(devices.map(async (d) => { await d.agent.close().catch(() => undefined); await d.client.stop().catch(() => undefined); }));
    await sp1?.close();
    await sp2?.close();
    await setup?.sp1Repository?.close();
    await cleanPrefix(redis, prefix);
    await redis.quit();
    if (process.env.HANDOVER_KEEP_CLI_DIR) console.log(`files in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  });

  it('moves every device from SP1 to SP2, attested and updated first, surviving kill -9 of sp1 serve', async () => {
    setup = await createProviderSetup(dir, testRedisUrl(), prefix, { firmware: true });
    const firmware = setup.firmware!;
    const stateDir = path.join(dir, 'devices');
    mkdirSync(stateDir, { mode: 0o700 });
    const sp1Uri = `coaps://127.0.0.1:${setup.ports.sp1Coaps}`;
    // Onboarding with SP1 (CA1 issues here, before sp1 serve revokes from the same directory).
    for (let i = 0; i < DEVICES; i++) devices.push(await createCliDevice(setup.pki, `urn:dev:cli:${String(i).padStart(4, '0')}`, sp1Uri, stateDir, firmware));
    await Promise.all(setup.pki.hierarchy.all.map((ca) => ca.close()));

    sp1 = new CliChild('sp1 serve', ['sp1', 'serve', '--config', setup.sp1Config, '--json', '--concurrency', '8'], path.join(dir, 'sp1.log'));
    sp2 = new CliChild('sp2 serve', ['sp2', 'serve', '--config', setup.sp2Config, '--json'], path.join(dir, 'sp2.log'));
    const [r1, r2] = await Promise.all([sp1.start(), sp2.start()]);
    expect(r1).toMatchObject({ role: 'sp1', coaps: sp1Uri, api: `http://127.0.0.1:${setup.ports.sp1Api}` });
    const sp2Coaps = `coaps://127.0.0.1:${setup.ports.sp2Coaps}`;
    const bootstrapUri = `coaps://127.0.0.1:${setup.ports.sp2Bootstrap}`;
    const updateUri = `coap://127.0.0.1:${setup.ports.sp2Update}/fw/sp2.suit`;
    const raUri = `coap://127.0.0.1:${setup.ports.sp2Ra}/ra`;
    expect(r2).toMatchObject({
      role: 'sp2', coaps: sp2Coaps, est: `coaps://127.0.0.1:${setup.ports.est}/.well-known/est`, bootstrap: bootstrapUri,
      update: `coap://127.0.0.1:${setup.ports.sp2Update}`, ra: raUri,
    });
    await Promise.all(devices.map((d) => d.client.start()));

    // SP1's fleet records, from a file.
    const fleetFile = path.join(dir, 'fleet.json');
    writeFileSync(fleetFile, JSON.stringify(devices.map((d) => ({
      factoryCertificate: certificatePem(d.credentials.factory.certificate),
      operationalSerial: d.credentials.operationalSerial, suitSequenceNumber: firmware.current.sequenceNumber, suitReferenceUri: firmware.current.uri,
    }))));
    expect(JSON.parse(await ok('sp1', 'devices', 'add', fleetFile, '--config', setup.sp1Config, '--json'))).toEqual({ added: devices.map((d) => d.id) });
    const idsFile = path.join(dir, 'devices.txt');
    writeFileSync(idsFile, `# the fleet moving to SP2\n${devices.map((d) => d.id).join('\n')}\n`);

    // 1. SP1 → SP2: the UpdateInfoList as a file.
    const uil = path.join(dir, 'uil.jws');
    expect(JSON.parse(await ok('sp1', 'export', '--config', setup.sp1Config, '--devices', idsFile, '--out', uil, '--json'))).toMatchObject({ devices: DEVICES });
    // 2. SP2 imports it and forwards the factory certificates to CA2.
    const imported = JSON.parse(await ok('sp2', 'import', uil, '--config', setup.sp2Config, '--json')) as { transferId: string; devices: string[] };
    expect(imported.devices.sort()).toEqual(devices.map((d) => d.id).sort());
    const transferId = imported.transferId;
    // 3. SP2 → SP1: the TransferMessage and the anchors, as files; SP1 accepts them.
    const tm = path.join(dir, 'tm.cbor');
    const anchors = path.join(dir, 'anchors.pem');
    // Signing it (another process than sp2 serve) provisions each device at SP2's bootstrap server, the join URI.
    const bootstrapConfigs = new BootstrapConfigStore(redis, new ServerKeys(`${prefix}:sp2:bootstrap`));
    expect(await bootstrapConfigs.all()).toEqual({});
    const built = JSON.parse(await ok('sp2', 'transfer-message', '--config', setup.sp2Config, '--transfer', transferId, '--out', tm, '--anchors-out', anchors, '--update-first', '--json')) as Record<string, unknown>;
    // The update URI is sp2.update.envelope on SP2's update server, the RA URI SP2's RA server; SP2's manifest signer is an anchor.
    expect(built).toMatchObject({ transferId, anchors: 3, updateUri, raUri, updateFirst: true, joinUri: bootstrapUri, bootstrap: { uri: bootstrapUri, serverUri: sp2Coaps }, enrollUri: `coaps://127.0.0.1:${setup.ports.est}/.well-known/est` });
    const provisioned = await bootstrapConfigs.all();
    expect(Object.keys(provisioned).sort()).toEqual(devices.map((d) => d.id).sort());
    for (const cfg of Object.values(provisioned)) expect(cfg.security?.['1']).toMatchObject({ uri: sp2Coaps, securityMode: 4 });
    const accepted = JSON.parse(await ok('sp1', 'accept', tm, '--anchors', anchors, '--config', setup.sp1Config, '--json')) as { transferId: string; devices: string[] };
    expect(accepted.transferId).toBe(transferId);
    expect(accepted.devices.sort()).toEqual(devices.map((d) => d.id).sort());

    // 4–6. The campaign, created and watched with `handover campaign`.
    const payload = path.join(dir, 'payload.json');
    writeFileSync(payload, JSON.stringify({ transferId }));
    const redisFlags = ['--redis', testRedisUrl(), '--prefix', prefix];
    const campaignId = (await ok('campaign', 'create', '--name', 'cli transfer', '--devices', idsFile, '--payload', payload, '--start', ...redisFlags)).trim();
    const status = async () => JSON.parse(await ok('campaign', 'status', campaignId, '--json', ...redisFlags)) as CampaignProgress;
    const until = async (cond: (p: CampaignProgress) => boolean, ms: number): Promise<CampaignProgress> => {
      const deadline = Date.now() + ms;
      for (;;) {
        const p = await status();
        if (cond(p)) return p;
        if (Date.now() > deadline) throw new Error(`campaign ${campaignId}: ${JSON.stringify(p.byState)} ${JSON.stringify(p.byStep)} after ${ms} ms`);
        await new Promise((r) => setTimeout(r, 250));
      }
    };
    // kill -9 of sp1 serve once the campaign is under way, and a new one on the same configuration.
    await until((p) => p.done >= 1 || (p.byStep.await ?? 0) >= 1, 60_000);
    await sp1.kill();
    await sp1.start();
    const final = await until((p) => p.done >= p.total, 150_000);
    expect(sp1.starts).toBe(2);
    // Why devices ended as they did (shown when the expectation fails).
    const reasons = await redis.hgetall(`${prefix}:campaign:${campaignId}:reason`);
    expect({ byState: final.byState, reasons }).toMatchObject({ byState: { transferred: DEVICES, failed: 0, fellBack: 0 } });

    // Each device at SP2 with a CA2 certificate, through SP2's bootstrap server; its CA1 certificate revoked.
    const ca2Subject = setup.pki.hierarchy.ca2.subject;
    const ca2Root = setup.pki.hierarchy.ca2.chain[setup.pki.hierarchy.ca2.chain.length - 1];
    for (const d of devices) {
      // The accounts SP2's bootstrap server wrote: its own (kept) and SP2's server in Mode 4, CA2's root as server trust, no device key.
      const v = (p: string) => { const n = d.client.getResource(p); return n.kind === 'singleResource' ? n.value : undefined; };
      expect([d.id, v('/0/0/0'), v('/0/0/1')]).toEqual([d.id, bootstrapUri, true]);
      expect([d.id, v('/0/1/0'), v('/0/1/2'), (v('/0/1/5') as Uint8Array).length]).toEqual([d.id, sp2Coaps, 4n, 0]);
      expect(Buffer.from(v('/0/1/4') as Uint8Array).equals(Buffer.from(ca2Root))).toBe(true);
      expect(v('/1/0/1')).toBe(60n);
      expect(d.client.currentServerUri()).toBe(sp2Coaps);
      const reg = await registration(`http://127.0.0.1:${setup.ports.sp2Http}`, setup.sp2RestToken, d.id);
      expect([d.id, dn(reg?.certificate?.issuer ?? 'none')]).toEqual([d.id, dn(ca2Subject)]);
    }
    // Each device attested SP1's build to SP2's RA server, then installed SP2's build from SP2's update server.
    for (const d of devices) {
      const result = JSON.parse((await redis.get(`${prefix}:sp2:ra:result:${d.id}`)) ?? 'null') as AttestationResult | null;
      expect([d.id, result?.ok, result?.suitSequence]).toEqual([d.id, true, firmware.current.sequenceNumber]);
      const installed = await installedFirmware(d.suitDir!);
      expect([d.id, installed?.sequenceNumber, installed?.manifestDigest.hex]).toEqual([d.id, firmware.sp2.sequenceNumber, firmware.sp2.manifestDigestHex]);
    }
    const ca1 = await CertificateAuthority.load(path.join(dir, 'pki', 'ca1'));
    expect(devices.map((d) => ca1.isRevoked(d.credentials.operationalSerial))).toEqual(devices.map(() => true));
    await ca1.close();

    // Both services stop cleanly on SIGTERM.
    expect(await sp1.stop()).toBe(0);
    expect(await sp2.stop()).toBe(0);
  });
});

