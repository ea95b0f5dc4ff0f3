/**
 * `handover sp1 serve|devices|export|accept`: SP1, the old provider of the PKI trust transfer,
 * from its configuration file (plugin/handover/provider-config.ts, docs/operations.md).
 * `serve` runs the service until SIGINT/SIGTERM; the other verbs work on SP1's records in Redis
 * (never on devices) and exchange the transfer's documents with SP2 as files. Bad input (a file
 * that cannot be read, a tampered or foreign document): exit 1, nothing changed.
 */
import { createHash } from 'node:crypto';
import { InvalidInputError, UsageError } from '../../../common/errors';
import { CampaignControl } from '../../../plugin/campaign/index';
import { decodeAnchorFile } from '../../../plugin/handover/anchor-file';
import { parseFleetFile } from '../../../plugin/handover/fleet-file';
import { openSp1Records, providerKeyNames } from '../../../plugin/handover/provider-roles';
import { startSp1Service } from '../../../plugin/handover/sp1-service';
import { intOption, parse } from '../args';
import type { Command } from '../command';
import type { CliIo } from '../io';
import { checkWritable, configFrom, parseDeviceIds, readInput, refusingDocument, writeOutput } from './provider-cli';
import { untilSignal } from '../until-signal';

const usage = `usage: handover sp1 <verb> --config FILE [options]
  serve [--concurrency N]          run SP1 (DM server or adapter, provider API, campaign workers,
                                   fallback watching) until SIGINT/SIGTERM
  devices add FLEET.json           register fleet devices (factory certificate, CA1 serial, SUIT state)
  devices show ID                  a device and its current transfer record
  export --devices FILE --out UIL.jws
                                   sign the UpdateInfoList of these devices (one id per line, or a JSON
                                   array) into a file for SP2 (also offered on SP1's provider API)
  accept TM.cbor --anchors ANCHORS.pem [--campaign NAME [--start] [--rate N]]
                                   validate SP2's TransferMessage (signed by the configured peer, answering
                                   a list SP1 exported) and the anchors to deliver; prints the transfer id;
                                   --campaign also creates the campaign of its devices (payload {transferId})
options: --json (machine-readable output)
The configuration: docs/operations.md.`;

/** The Redis URL without its password (the output may end up in logs). */
function redactedUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

async function serve(configFile: string | undefined, v: { concurrency?: string; json?: boolean }, io: CliIo): Promise<number> {
  const config = configFrom(configFile, 'sp1');
  const concurrency = intOption(v.concurrency, 'concurrency', 32, 1, 10_000);
  const service = await startSp1Service(config, { concurrency, log: (l) => io.err(`sp1: ${l}`) });
  const info = {
    role: 'sp1', identity: config.identity, pid: process.pid, api: service.api.url,
    ...(service.dm.coapsUri ? { coaps: service.dm.coapsUri } : {}), dm: service.dm.restUrl, fallbackUri: service.fallbackUri,
    campaignsPrefix: providerKeyNames(config.keyPrefix).campaigns, concurrency,
  };
  if (v.json) {
    io.out(JSON.stringify(info));
  } else {
    io.out(`SP1 "${config.identity}" serving (pid ${process.pid})`);
    io.out(`  provider API   ${info.api}`);
    if (info.coaps) io.out(`  LwM2M server   ${info.coaps} (REST ${info.dm})`);
    else io.out(`  DM server      ${info.dm} (Leshan REST)`);
    io.out(`  fallback URI   ${info.fallbackUri}`);
    io.out(`  campaigns      handover campaign … --redis ${redactedUrl(config.redisUrl)} --prefix ${info.campaignsPrefix} (${concurrency} in parallel here)`);
  }
  const sig = await untilSignal();
  io.err(`sp1: ${sig}, stopping`);
  await service.stop();
  io.err('sp1: stopped');
  return 0;
}

async function devices(configFile: string | undefined, args: string[], json: boolean, io: CliIo): Promise<number> {
  const [sub, arg, ...extra] = args;
  if (sub !== 'add' && sub !== 'show') throw new UsageError('devices needs "add FLEET.json" or "show ID"');
  if (!arg) throw new UsageError(sub === 'add' ? 'devices add needs a fleet file' : 'devices show needs a device id');
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const config = configFrom(configFile, 'sp1');
  const fleet = sub === 'add' ? parseFleetFile(readInput(arg, 'fleet file').toString('utf8'), arg) : [];
  const { sp1, close } = await openSp1Records(config);
  try {
    if (sub === 'add') {
      for (const d of fleet) await sp1.addDevice(d);
      io.out(json ? JSON.stringify({ added: fleet.map((d) => d.deviceId) }) : `${fleet.length} device(s) registered with SP1`);
      return 0;
    }
    const d = await sp1.device(arg);
    if (!d) throw new InvalidInputError(`device "${arg}" is not in SP1's fleet`);
    const record = await sp1.deviceRecord(arg);
    const shown = {
      deviceId: d.deviceId, factoryCertificateSha256: createHash('sha256').update(d.factoryCertificate).digest('hex'),
      operationalSerial: d.operationalSerial ?? null, suitSequenceNumber: d.suitSequenceNumber, suitReferenceUri: d.suitReferenceUri,
      updateWindow: [new Date(d.updateTimeNotBefore * 1000).toISOString(), new Date(d.updateTimeNotAfter * 1000).toISOString()], transfer: record ?? null,
    };
    io.out(json ? JSON.stringify(shown) : Object.entries(shown).map(([k, val]) => `${k.padEnd(26)} ${typeof val === 'object' && val !== null ? JSON.stringify(val) : String(val)}`).join('\n'));
    return 0;
  } finally {
    await close();
  }
}

async function exportList(configFile: string | undefined, v: { devices?: string; out?: string; json?: boolean }, io: CliIo): Promise<number> {
  if (!v.devices) throw new UsageError('--devices FILE is required');
  if (!v.out) throw new UsageError('--out FILE is required');
  const config = configFrom(configFile, 'sp1');
  const ids = parseDeviceIds(readInput(v.devices, 'devices file').toString('utf8'), v.devices);
  checkWritable(v.out, '--out');
  const { sp1, close } = await openSp1Records(config);
  try {
    const jws = await sp1.exportUpdateInfoList(ids);
    writeOutput(v.out, `${jws}\n`);
    const sha256 = createHash('sha256').update(jws).digest('hex');
    io.out(v.json ? JSON.stringify({ out: v.out, devices: ids.length, sha256 }) : `UpdateInfoList of ${ids.length} device(s) written to ${v.out} (sha256 ${sha256})`);
    return 0;
  } finally {
    await close();
  }
}

/** A TransferMessage file: the raw CBOR, or its hex. */
function transferMessageBytes(file: string): Uint8Array {
  const raw = readInput(file, 'TransferMessage');
  const text = raw.toString('latin1').trim();
  return new Uint8Array(/^(?:[0-9a-fA-F]{2})+$/.test(text) ? Buffer.from(text, 'hex') : raw);
}

async function accept(configFile: string | undefined, args: string[], v: { anchors?: string; campaign?: string; start?: boolean; rate?: string; json?: boolean }, io: CliIo): Promise<number> {
  if (args.length !== 1) throw new UsageError('accept takes one TransferMessage file');
  if (!v.anchors) throw new UsageError('--anchors FILE is required (the trust anchors SP2 sent with the TransferMessage)');
  if ((v.start || v.rate !== undefined) && !v.campaign) throw new UsageError('--start and --rate go with --campaign NAME');
  let rate: number | undefined;
  if (v.rate !== undefined) {
    rate = Number(v.rate);
    if (!/^\d+(\.\d+)?$/.test(v.rate) || !(rate > 0)) throw new UsageError(`--rate must be a positive number, got "${v.rate}"`);
  }
  const config = configFrom(configFile, 'sp1');
  const bytes = transferMessageBytes(args[0]);
  const anchors = decodeAnchorFile(readInput(v.anchors, 'anchor file').toString('utf8'), v.anchors);
  const { sp1, close } = await openSp1Records(config);
  try {
    const t = await refusingDocument(args[0], config.peer.identity, () => sp1.acceptTransferMessage(bytes));
    await sp1.setTrustAnchors(t.transferId, anchors);
    let campaignId: string | undefined;
    if (v.campaign) {
      const control = new CampaignControl({ redisUrl: config.redisUrl, keyPrefix: providerKeyNames(config.keyPrefix).campaigns });
      try {
        const rec = await control.create({ name: v.campaign, devices: [...t.devices], payload: { transferId: t.transferId }, ...(rate ? { ratePerSecond: rate } : {}) });
        if (v.start) await control.start(rec.id);
        campaignId = rec.id;
      } finally {
        await control.close();
      }
    }
    const m = t.message;
    if (v.json) {
      io.out(JSON.stringify({
        transferId: t.transferId, devices: t.devices, anchors: anchors.length, ...(campaignId ? { campaignId, started: Boolean(v.start) } : {}),
        window: [m.resetTimeNotBefore, m.resetTimeNotAfter], enrollUri: m.enrollUri, joinUri: m.bootstrapUri, updateUri: m.updateUri, raUri: m.raUri,
      }));
    } else {
      io.out(t.transferId);
      io.err(`TransferMessage from ${m.issuer} accepted: ${t.devices.length} device(s), ${anchors.length} anchor(s), window until ${new Date(m.resetTimeNotAfter * 1000).toISOString()}`);
      if (campaignId) io.err(`campaign ${campaignId} ${v.start ? 'started' : 'created (start it with: handover campaign start ' + campaignId + ')'}`);
    }
    return 0;
  } finally {
    await close();
  }
}

const sp1: Command = {
  name: 'sp1',
  summary: 'SP1 (old provider): serve, fleet devices, export the UpdateInfoList, accept a TransferMessage',
  usage,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values: v, positionals } = parse(argv, {
      config: { type: 'string' }, json: { type: 'boolean' }, concurrency: { type: 'string' },
      devices: { type: 'string' }, out: { type: 'string' }, anchors: { type: 'string' },
      campaign: { type: 'string' }, start: { type: 'boolean' }, rate: { type: 'string' },
    });
    const [verb, ...rest] = positionals;
    switch (verb) {
      case 'serve':
        if (rest.length) throw new UsageError(`unexpected argument "${rest[0]}"`);
        return serve(v.config, v, io);
      case 'devices': return devices(v.config, rest, v.json ?? false, io);
      case 'export':
        if (rest.length) throw new UsageError(`unexpected argument "${rest[0]}"`);
        return exportList(v.config, v, io);
      case 'accept': return accept(v.config, rest, v, io);
      case undefined: throw new UsageError('a verb is required');
      default: throw new UsageError(`unknown verb "${verb}"`);
    }
  },
};

export default sp1;
