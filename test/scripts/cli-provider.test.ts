/**
 * `handover sp1|sp2` in-process on the run's Redis, bad input first: a configuration with a
 * missing or unknown field, of the other role, readable by others, a world-readable signer key
 * or token, unreadable files, a tampered UpdateInfoList or one signed by another key, a
 * tampered TransferMessage or one not signed by the configured SP2, a bad anchor file, a fleet
 * file whose device id and certificate disagree — each exit 1 with a one-line reason and no
 * change in Redis — then the file exchange of steps 1–3 that goes through, with --campaign.
 */
import 'reflect-metadata';
import { createPublicKey } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { algForKey } from '../../common/cose/algorithms';
import { certificatePem, generateKeyPair } from '../../common/pki/index';
import { CampaignControl } from '../../plugin/campaign/index';
import { buildTransferMessage } from '../../plugin/messages/transfer-message';
import { signUpdateInfoList, verifyUpdateInfoList } from '../../plugin/messages/update-info-list';
import { captureIo } from '../../scripts/cli/io';
import { runCli } from '../../scripts/cli/main';
import { createDeviceCredentials } from '../../scripts/demo/world/credentials';
import type { DeviceCredentials } from '../../scripts/demo/world/credentials';
import { createProviderSetup, type ProviderSetup } from '../e2e/provider-cli-harness';
import { cleanPrefix, randomPrefix, testRedis, testRedisUrl } from '../helpers/redis';

jest.setTimeout(60_000);

const redis = testRedis();
const prefix = randomPrefix('cli-provider');
const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-provider-'));
let setup: ProviderSetup;
const creds: DeviceCredentials[] = [];
let fleetFile: string;
let idsFile: string;
let uil: string;

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = captureIo();
  const code = await runCli(argv, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

/** Every key of the providers' records under the prefix (what must not change on bad input). */
async function keys(pattern = '*'): Promise<string[]> {
  return (await redis.keys(`${prefix}:${pattern}`)).sort();
}

async function snapshot(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const k of await keys()) {
    const type = await redis.type(k);
    out[k] = type === 'hash' ? JSON.stringify(await redis.hgetall(k)) : type === 'string' ? (await redis.get(k))! : type;
  }
  return out;
}

/** Exit 1, one line on stderr matching `reason`, nothing in Redis changed. */
async function refused(reason: RegExp, ...argv: string[]): Promise<void> {
  const before = await snapshot();
  const r = await cli(...argv);
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 1, stderr: expect.stringMatching(reason) });
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(await snapshot()).toEqual(before);
}

function writeConfig(name: string, json: unknown, mode = 0o600): string {
  const f = path.join(path.dirname(setup.sp1Config), name);
  writeFileSync(f, typeof json === 'string' ? json : JSON.stringify(json), { mode });
  chmodSync(f, mode);
  return f;
}

beforeAll(async () => {
  setup = await createProviderSetup(dir, testRedisUrl(), prefix);
  for (let i = 0; i < 3; i++) creds.push(await createDeviceCredentials(setup.pki, `urn:dev:bad:${i}`));
  await Promise.all(setup.pki.hierarchy.all.map((ca) => ca.close()));
  fleetFile = path.join(dir, 'fleet.json');
  writeFileSync(fleetFile, JSON.stringify(creds.map((c) => ({
    deviceId: c.deviceId, factoryCertificate: certificatePem(c.factory.certificate), operationalSerial: c.operationalSerial,
    suitSequenceNumber: 3, suitReferenceUri: 'coaps://fw.sp1.example/fw/current.suit', updateTimeNotBefore: '2025-01-01T00:00:00Z',
  }))));
  idsFile = path.join(dir, 'ids.txt');
  writeFileSync(idsFile, creds.map((c) => c.deviceId).join('\n'));
  uil = path.join(dir, 'uil.jws');
});

afterAll(async () => {
  await cleanPrefix(redis, prefix);
  await redis.quit();
  rmSync(dir, { recursive: true, force: true });
});

describe('configuration files', () => {
  it('refuses a missing field, an unknown field, the other role, and bad values', async () => {
    const j = setup.sp1Json as Record<string, any>;
    await refused(/api\.port is required/, 'sp1', 'devices', 'add', fleetFile, '--config', writeConfig('no-port.json', { ...j, api: { ...j.api, port: undefined } }));
    await refused(/unknown field "colour"/, 'sp1', 'devices', 'add', fleetFile, '--config', writeConfig('extra.json', { ...j, colour: 'blue' }));
    await refused(/dm\.server\.coapsPort must be an integer from 1 to 65535/, 'sp1', 'serve', '--config', writeConfig('port.json', { ...j, dm: { server: { ...j.dm.server, coapsPort: 70000 } } }));
    await refused(/redisUrl must be a redis or rediss URI/, 'sp1', 'devices', 'add', fleetFile, '--config', writeConfig('redis.json', { ...j, redisUrl: 'http://x' }));
    await refused(/configures SP2, not SP1/, 'sp1', 'devices', 'add', fleetFile, '--config', setup.sp2Config);
    await refused(/not valid JSON/, 'sp1', 'devices', 'add', fleetFile, '--config', writeConfig('broken.json', '{'));
    await refused(/cannot read configuration file .*ENOENT/, 'sp2', 'import', uil, '--config', path.join(dir, 'nowhere.json'));
  });

  it('refuses a configuration, a key or a token file readable by group or other', async () => {
    await refused(/configuration file .* is accessible by group or other \(mode 644\)/, 'sp1', 'devices', 'add', fleetFile, '--config', writeConfig('open.json', setup.sp1Json, 0o644));
    const key = path.join(dir, 'open-signer.key');
    copyFileSync(setup.files.sp1SignerKey, key);
    chmodSync(key, 0o644);
    const j = setup.sp1Json as Record<string, any>;
    await refused(/key file .*open-signer\.key is accessible by group or other/, 'sp1', 'devices', 'add', fleetFile, '--config', writeConfig('open-key.json', { ...j, signer: { ...j.signer, key: key } }));
    const token = path.join(dir, 'open.token');
    copyFileSync(setup.files.sp1ApiToken, token);
    chmodSync(token, 0o604);
    await refused(/api\.tokenFile .*open\.token is accessible by group or other/, 'sp1', 'serve', '--config', writeConfig('open-token.json', { ...j, api: { ...j.api, tokenFile: token } }));
    const serverKey = path.join(dir, 'open-server.key');
    copyFileSync(setup.files.sp2ServerKey, serverKey);
    chmodSync(serverKey, 0o640);
    const j2 = setup.sp2Json as Record<string, any>;
    const f = path.join(path.dirname(setup.sp2Config), 'open-server.json');
    writeFileSync(f, JSON.stringify({ ...j2, dm: { server: { ...j2.dm.server, key: serverKey } } }), { mode: 0o600 });
    await refused(/dm\.server\.key .* is accessible by group or other/, 'sp2', 'serve', '--config', f);
    const bf = path.join(path.dirname(setup.sp2Config), 'open-bootstrap-key.json');
    writeFileSync(bf, JSON.stringify({ ...j2, sp2: { ...j2.sp2, bootstrap: { ...j2.sp2.bootstrap, key: serverKey } } }), { mode: 0o600 });
    await refused(/sp2\.bootstrap\.key .*open-server\.key is accessible by group or other/, 'sp2', 'serve', '--config', bf);
  });

  it('refuses a signer certificate that does not certify the signer key', async () => {
    const j = setup.sp1Json as Record<string, any>;
    await refused(/does not certify the key/, 'sp1', 'devices', 'add', fleetFile, '--config', writeConfig('wrong-cert.json', { ...j, signer: { ...j.signer, certificate: setup.files.sp2ServerChain } }));
  });
});

describe('fleet and UpdateInfoList', () => {
  it('refuses a fleet file whose id and certificate disagree, writing no device', async () => {
    const bad = path.join(dir, 'bad-fleet.json');
    const good = JSON.parse(readFileSync(fleetFile, 'utf8')) as Record<string, unknown>[];
    writeFileSync(bad, JSON.stringify([good[0], { ...good[1], deviceId: 'urn:dev:someone-else' }]));
    await refused(/device 2: deviceId "urn:dev:someone-else" but its factory certificate names "urn:dev:bad:1"/, 'sp1', 'devices', 'add', bad, '--config', setup.sp1Config);
    await refused(/cannot read fleet file .*ENOENT/, 'sp1', 'devices', 'add', path.join(dir, 'none.json'), '--config', setup.sp1Config);
    expect(await keys('sp1:device:*')).toEqual([]);
  });

  it('registers the fleet and exports the UpdateInfoList; an unknown device is refused', async () => {
    expect((await cli('sp1', 'devices', 'add', fleetFile, '--config', setup.sp1Config)).stdout).toBe('3 device(s) registered with SP1\n');
    const shown = JSON.parse((await cli('sp1', 'devices', 'show', 'urn:dev:bad:1', '--config', setup.sp1Config, '--json')).stdout) as Record<string, unknown>;
    expect(shown).toMatchObject({ deviceId: 'urn:dev:bad:1', operationalSerial: creds[1].operationalSerial, suitSequenceNumber: 3, transfer: null });
    const unknown = path.join(dir, 'unknown.txt');
    writeFileSync(unknown, 'urn:dev:bad:0\nurn:dev:nobody\n');
    await refused(/urn:dev:nobody/, 'sp1', 'export', '--config', setup.sp1Config, '--devices', unknown, '--out', uil);
    await refused(/--out .*cannot write into/, 'sp1', 'export', '--config', setup.sp1Config, '--devices', idsFile, '--out', path.join(dir, 'no-such-dir', 'uil.jws'));
    const r = await cli('sp1', 'export', '--config', setup.sp1Config, '--devices', idsFile, '--out', uil);
    expect(r.code).toBe(0);
    expect(readFileSync(uil, 'utf8')).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
  });

  it('sp2 import refuses a tampered list and one signed by another key', async () => {
    const jws = readFileSync(uil, 'utf8').trim();
    const [h, p, s] = jws.split('.');
    const tampered = path.join(dir, 'tampered.jws');
    const flipped = p.slice(0, 40) + (p[40] === 'A' ? 'B' : 'A') + p.slice(41);
    writeFileSync(tampered, `${h}.${flipped}.${s}`);
    await refused(/signature|JWS/i, 'sp2', 'import', tampered, '--config', setup.sp2Config);
    const { list } = await verifyUpdateInfoList(jws, createPublicKey(setup.pki.sp1Signer.privateKey));
    const foreignKey = generateKeyPair('P-256').privateKey;
    const foreign = path.join(dir, 'foreign.jws');
    writeFileSync(foreign, await signUpdateInfoList(list, { key: foreignKey, alg: 'ES256' }));
    await refused(/signature/i, 'sp2', 'import', foreign, '--config', setup.sp2Config);
    writeFileSync(path.join(dir, 'not-jws.txt'), 'hello');
    await refused(/is not a compact JWS/, 'sp2', 'import', path.join(dir, 'not-jws.txt'), '--config', setup.sp2Config);
    expect(await keys('sp2:*')).toEqual([]);
    expect(await keys('ca2:*')).toEqual([]);
  });
});

describe('TransferMessage and anchors', () => {
  let transferId: string;
  const tm = () => path.join(dir, 'tm.cbor');
  const anchors = () => path.join(dir, 'anchors.pem');

  beforeAll(async () => {
    const r = await cli('sp2', 'import', uil, '--config', setup.sp2Config, '--json');
    expect(r.code).toBe(0);
    transferId = (JSON.parse(r.stdout) as { transferId: string }).transferId;
    const b = await cli('sp2', 'transfer-message', '--config', setup.sp2Config, '--transfer', transferId, '--out', tm(), '--anchors-out', anchors(), '--enroll-uri', 'coaps://est.sp2.example/.well-known/est');
    expect(b).toMatchObject({ code: 0 });
  });

  it('sp2 transfer-message provisioned each device at SP2\'s bootstrap server, its default join URI', async () => {
    const bootstrapUri = `coaps://127.0.0.1:${setup.ports.sp2Bootstrap}`;
    expect((await keys('sp2:bootstrap:bscfg:*')).map((k) => k.slice(`${prefix}:sp2:bootstrap:bscfg:`.length))).toEqual(creds.map((c) => c.deviceId).sort());
    const cfg = JSON.parse((await redis.get(`${prefix}:sp2:bootstrap:bscfg:${creds[0].deviceId}`))!) as { security: Record<string, { uri: string; securityMode: number }> };
    expect(cfg.security['1']).toMatchObject({ uri: `coaps://127.0.0.1:${setup.ports.sp2Coaps}`, securityMode: 4 });
    const out = path.join(dir, 'tm-default.cbor');
    const r = await cli('sp2', 'transfer-message', '--config', setup.sp2Config, '--transfer', transferId, '--out', out, '--anchors-out', path.join(dir, 'a-default.pem'), '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ joinUri: bootstrapUri, bootstrap: { uri: bootstrapUri, serverUri: `coaps://127.0.0.1:${setup.ports.sp2Coaps}` } });
    const o = await cli('sp2', 'transfer-message', '--config', setup.sp2Config, '--transfer', transferId, '--out', out, '--anchors-out', path.join(dir, 'a-default.pem'), '--join-uri', 'coaps://bs.sp2.example:5685', '--json');
    expect(JSON.parse(o.stdout)).toMatchObject({ joinUri: 'coaps://bs.sp2.example:5685' });
  });

  it('sp2 transfer-message refuses a wildcard bootstrap host without a join URI and a server trust file without certificates', async () => {
    const j2 = setup.sp2Json as Record<string, any>;
    const write = (name: string, bootstrap: Record<string, unknown>) => {
      const f = path.join(path.dirname(setup.sp2Config), name);
      writeFileSync(f, JSON.stringify({ ...j2, sp2: { ...j2.sp2, bootstrap: { ...j2.sp2.bootstrap, ...bootstrap } } }), { mode: 0o600 });
      return f;
    };
    const args = ['--transfer', transferId, '--out', path.join(dir, 'y.cbor'), '--anchors-out', path.join(dir, 'y.pem')];
    await refused(/sp2\.transferMessage\.joinUri is required when sp2\.bootstrap\.host is a wildcard address/, 'sp2', 'transfer-message', '--config', write('bs-wildcard.json', { host: '0.0.0.0' }), ...args);
    await refused(/sp2\.bootstrap\.serverTrust .*holds no PEM certificate/, 'sp2', 'transfer-message', '--config', write('bs-trust.json', { serverTrust: path.relative(path.dirname(setup.sp2Config), setup.files.sp2ApiToken) }), ...args);
  });

  it('sp2 transfer-message refuses an unknown transfer and a missing update URI', async () => {
    await refused(/unknown transfer|no transfer|0123/i, 'sp2', 'transfer-message', '--config', setup.sp2Config, '--transfer', '0123', '--out', path.join(dir, 'x.cbor'), '--anchors-out', path.join(dir, 'x.pem'));
    const j2 = setup.sp2Json as Record<string, any>;
    const f = path.join(path.dirname(setup.sp2Config), 'no-update.json');
    writeFileSync(f, JSON.stringify({ ...j2, sp2: { ...j2.sp2, transferMessage: {} } }), { mode: 0o600 });
    const r = await cli('sp2', 'transfer-message', '--config', f, '--transfer', transferId, '--out', path.join(dir, 'x.cbor'), '--anchors-out', path.join(dir, 'x.pem'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--update-uri or --update-path is required/);
  });

  it('sp2 transfer-message: the update URI from SP2\'s update server, the RA URI from its RA server unless --no-attest', async () => {
    const j2 = setup.sp2Json as Record<string, any>;
    const d2 = path.dirname(setup.sp2Config);
    mkdirSync(path.join(d2, 'fw-dir', 'fw'), { recursive: true });
    writeFileSync(path.join(d2, 'fw-dir', 'fw', 'new.suit'), Buffer.of(0xd8, 0x6b, 0xa0));
    const args = ['--transfer', transferId, '--out', path.join(dir, 'u.cbor'), '--anchors-out', path.join(dir, 'u.pem'), '--json'];
    const update = { port: setup.ports.sp2Update, directory: 'fw-dir', envelope: 'fw/new.suit' };
    const ra = { port: setup.ports.sp2Ra, factoryTrust: path.relative(d2, setup.files.sp2EstTrusted), manifestSigners: path.relative(d2, setup.files.sp2PeerCert) };
    const f = path.join(d2, 'fw.json');
    writeFileSync(f, JSON.stringify({ ...j2, sp2: { ...j2.sp2, transferMessage: {}, update, ra } }), { mode: 0o600 });
    const r = await cli('sp2', 'transfer-message', '--config', f, ...args);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(r.stdout)).toMatchObject({ updateUri: `coap://127.0.0.1:${setup.ports.sp2Update}/fw/new.suit`, raUri: `coap://127.0.0.1:${setup.ports.sp2Ra}/ra`, updateFirst: false, anchors: 2 });
    const n = await cli('sp2', 'transfer-message', '--config', f, ...args, '--no-attest');
    expect(JSON.parse(n.stdout)).toMatchObject({ raUri: null });
    expect((await cli('sp2', 'transfer-message', '--config', f, ...args, '--no-attest', '--ra-uri', 'coap://ra.example/ra')).code).toBe(2);
    expect((await cli('sp2', 'transfer-message', '--config', f, ...args, '--update-path', 'fw/new.suit', '--update-uri', 'coap://fw.example/x')).code).toBe(2);
    // --update-path names another envelope of the directory; one that is not there, or without sp2.update, is refused.
    await refused(/the envelope "fw\/missing\.suit" is not a file of sp2\.update\.directory/, 'sp2', 'transfer-message', '--config', f, ...args, '--update-path', 'fw/missing.suit');
    const noUpdate = await cli('sp2', 'transfer-message', '--config', setup.sp2Config, ...args, '--update-path', 'fw/new.suit');
    expect([noUpdate.code, noUpdate.stderr]).toEqual([2, expect.stringMatching(/--update-path needs sp2\.update/)]);
    // Update-first needs SP2's manifest signer as an anchor for the devices.
    await refused(/sp2\.anchors\.updateServer is required for an update-first transfer/, 'sp2', 'transfer-message', '--config', f, ...args, '--update-first');
  });

  it('sp1 accept refuses a tampered message, a foreign signer, and bad anchors, storing nothing', async () => {
    const bytes = readFileSync(tm());
    const tampered = Buffer.from(bytes);
    tampered[tampered.length - 5] ^= 0x01;
    writeFileSync(path.join(dir, 'tampered.cbor'), tampered);
    await refused(/signature/i, 'sp1', 'accept', path.join(dir, 'tampered.cbor'), '--anchors', anchors(), '--config', setup.sp1Config);

    const cbor = (await verifyUpdateInfoList(readFileSync(uil, 'utf8').trim(), createPublicKey(setup.pki.sp1Signer.privateKey))).cbor;
    const foreignKey = generateKeyPair('P-256').privateKey;
    const now = Math.floor(Date.now() / 1000);
    const forged = buildTransferMessage({
      resetTimeNotBefore: now - 60, resetTimeNotAfter: now + 3600, raUri: null, updateUri: 'coaps://evil.example/fw', updateFirst: false,
      enrollUri: 'coaps://evil.example/.well-known/est', fallbackUri: 'coaps://evil.example', bootstrapUri: 'coaps://evil.example',
      issuer: 'sp2.example', audience: 'sp1.example', updateInfoCbor: cbor,
    }, { key: foreignKey, alg: algForKey(foreignKey), cti: new Uint8Array(Buffer.from(transferId, 'hex')) });
    writeFileSync(path.join(dir, 'forged.cbor'), forged);
    await refused(/signature/i, 'sp1', 'accept', path.join(dir, 'forged.cbor'), '--anchors', anchors(), '--config', setup.sp1Config);

    writeFileSync(path.join(dir, 'no-purpose.pem'), readFileSync(anchors(), 'utf8').replace(/^Purpose: enrollment-ca\n/m, ''));
    await refused(/certificate 1 has no "Purpose:" line/, 'sp1', 'accept', tm(), '--anchors', path.join(dir, 'no-purpose.pem'), '--config', setup.sp1Config);
    await refused(/cannot read TransferMessage .*ENOENT/, 'sp1', 'accept', path.join(dir, 'none.cbor'), '--anchors', anchors(), '--config', setup.sp1Config);
    expect(await keys('sp1:transfer:*')).toEqual([]);
  });

  it('sp1 accept stores the transfer and, with --campaign, creates its campaign', async () => {
    const r = await cli('sp1', 'accept', tm(), '--anchors', anchors(), '--config', setup.sp1Config, '--campaign', 'bad-input fleet', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { transferId: string; devices: string[]; anchors: number; campaignId: string; enrollUri: string };
    expect(out).toMatchObject({ transferId, anchors: 2, started: false, enrollUri: 'coaps://est.sp2.example/.well-known/est' });
    expect(out.devices.sort()).toEqual(creds.map((c) => c.deviceId).sort());
    const control = new CampaignControl({ redisUrl: testRedisUrl(), keyPrefix: prefix });
    try {
      expect(await control.get(out.campaignId)).toMatchObject({ state: 'created', devices: 3, payload: { transferId } });
    } finally {
      await control.close();
    }
    // The same message again is the same transfer; a second campaign is not made by accident.
    const again = await cli('sp1', 'accept', tm(), '--anchors', anchors(), '--config', setup.sp1Config);
    expect(again).toMatchObject({ code: 0, stdout: `${transferId}\n` });
  });
});

describe('usage', () => {
  it('exits 2 without --config or a verb', async () => {
    expect((await cli('sp1', 'export', '--devices', 'x', '--out', 'y')).code).toBe(2);
    expect((await cli('sp2')).code).toBe(2);
    expect((await cli('sp1', 'fly', '--config', setup.sp1Config)).code).toBe(2);
  });
});
