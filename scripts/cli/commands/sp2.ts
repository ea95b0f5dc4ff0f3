/**
 * `handover sp2 serve|import|transfer-message`: SP2, the new provider of the PKI trust
 * transfer, from its configuration file (plugin/handover/provider-config.ts,
 * docs/operations.md). `serve` runs the service until SIGINT/SIGTERM; `import` and
 * `transfer-message` work on SP2's records in Redis and exchange the transfer's documents with
 * SP1 as files. Bad input (unreadable file, a tampered UpdateInfoList or one not signed by the
 * configured SP1): exit 1, nothing changed.
 */
import { InvalidInputError, UsageError } from '../../../common/errors';
import { encodeAnchorFile } from '../../../plugin/handover/anchor-file';
import { statSync, realpathSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../../../plugin/handover/errors';
import type { ProviderConfig } from '../../../plugin/handover/provider-config';
import { readCertificates } from '../../../plugin/handover/provider-material';
import { openSp2Records, sp2BootstrapUri } from '../../../plugin/handover/provider-roles';
import { startSp2Service } from '../../../plugin/handover/sp2-service';
import type { TrustAnchor } from '../../../plugin/roles/index';
import { intOption, parse } from '../args';
import type { Command } from '../command';
import type { CliIo } from '../io';
import { checkWritable, configFrom, readInput, refusingDocument, writeOutput } from './provider-cli';
import { untilSignal } from '../until-signal';

const usage = `usage: handover sp2 <verb> --config FILE [options]
  serve                            run SP2 (DM server or adapter, CA2's EST server, provider API,
                                   arrival confirmation to SP1; with sp2.bootstrap SP2's LwM2M
                                   bootstrap server, with sp2.update its SUIT update server, with
                                   sp2.ra its RA server) until SIGINT/SIGTERM
  import UIL.jws                   verify SP1's UpdateInfoList (signed by the configured peer), import it
                                   and put its factory certificates on CA2's enrollment list; prints the
                                   transfer id
  transfer-message --transfer ID --out TM.cbor --anchors-out ANCHORS.pem
          [--enroll-uri U] [--join-uri U] [--update-uri U | --update-path P] [--ra-uri U | --no-attest]
          [--update-first] [--not-before ISO] [--window-hours H]
                                   sign the TransferMessage for SP1, and write the trust anchors SP1 must
                                   deliver to the devices (defaults: sp2.transferMessage in the config;
                                   window from now - 1 min, 24 h; the join URI is SP2's bootstrap
                                   server with sp2.bootstrap, else its LwM2M server; the update URI
                                   the envelope P, else sp2.update.envelope, on SP2's update server;
                                   the RA URI SP2's RA server with sp2.ra unless --no-attest). With
                                   sp2.bootstrap it also writes each device's bootstrap configuration
options: --json (machine-readable output)
The configuration: docs/operations.md.`;

function hostOf(h: string, field: string): string {
  if (h === '0.0.0.0' || h === '::') throw new ConfigError(`${field} is a wildcard address: set the URI explicitly`);
  return h.includes(':') ? `[${h}]` : h;
}

function uriOption(v: string | undefined, flag: string, schemes: readonly string[]): string | undefined {
  if (v === undefined) return undefined;
  let u: URL;
  try { u = new URL(v); } catch { throw new UsageError(`${flag} is not a URI: "${v}"`); }
  if (!schemes.includes(u.protocol.slice(0, -1))) throw new UsageError(`${flag} must be a ${schemes.join(' or ')} URI`);
  return v;
}

/**
 * The updateURI on SP2's update server (sp2.update) of the envelope `envelopePath` (--update-path,
 * else sp2.update.envelope); the file must be a regular file inside sp2.update.directory.
 * Undefined when no envelope is named.
 */
function updateServerUri(config: ProviderConfig, envelopePath: string | undefined): string | undefined {
  const u = config.sp2!.update;
  const named = envelopePath ?? u?.envelope;
  if (named === undefined) return undefined;
  if (!u) throw new UsageError('--update-path needs sp2.update in the configuration (SP2\'s update server)');
  const rel = named.replace(/^\/+/, '');
  if (rel === '' || rel.split('/').some((s) => s === '' || s === '.' || s === '..') || /[?#\\]/.test(rel)) throw new UsageError(`--update-path must be a plain relative path, got "${named}"`);
  let inside = false;
  try {
    const root = realpathSync(u.directory);
    const file = realpathSync(path.join(root, rel));
    inside = !path.relative(root, file).startsWith('..') && statSync(file).isFile();
  } catch { /* reported below */ }
  if (!inside) throw new ConfigError(`the envelope "${rel}" is not a file of sp2.update.directory ${u.directory}`);
  return `coap://${hostOf(u.host, 'sp2.update.host')}:${u.port}/${rel.split('/').map(encodeURIComponent).join('/')}`;
}

async function serve(configFile: string | undefined, json: boolean, io: CliIo): Promise<number> {
  const config = configFrom(configFile, 'sp2');
  const service = await startSp2Service(config, { log: (l) => io.err(`sp2: ${l}`) });
  const info = {
    role: 'sp2', identity: config.identity, pid: process.pid, api: service.api.url, est: service.est.uri,
    ...(service.dm.coapsUri ? { coaps: service.dm.coapsUri } : {}), dm: service.dm.restUrl,
    ...(service.bootstrapServer ? { bootstrap: service.bootstrapServer.uri } : {}),
    ...(service.updateServer ? { update: service.updateServer.uri('/').replace(/\/$/, '') } : {}),
    ...(service.raServer ? { ra: service.raServer.uri } : {}),
  };
  if (json) {
    io.out(JSON.stringify(info));
  } else {
    io.out(`SP2 "${config.identity}" serving (pid ${process.pid})`);
    io.out(`  provider API   ${info.api}`);
    io.out(`  CA2 EST        ${info.est}`);
    if (info.coaps) io.out(`  LwM2M server   ${info.coaps} (REST ${info.dm})`);
    else io.out(`  DM server      ${info.dm} (Leshan REST)`);
    if (info.bootstrap) io.out(`  bootstrap      ${info.bootstrap}`);
    if (info.update) io.out(`  SUIT update    ${info.update} (${config.sp2!.update!.directory})`);
    if (info.ra) io.out(`  attestation    ${info.ra}`);
  }
  const sig = await untilSignal();
  io.err(`sp2: ${sig}, stopping`);
  await service.stop();
  io.err('sp2: stopped');
  return 0;
}

async function importList(configFile: string | undefined, args: string[], json: boolean, io: CliIo): Promise<number> {
  if (args.length !== 1) throw new UsageError('import takes one UpdateInfoList file');
  const config = configFrom(configFile, 'sp2');
  const jws = readInput(args[0], 'UpdateInfoList').toString('utf8').trim();
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/.test(jws)) throw new InvalidInputError(`${args[0]} is not a compact JWS`);
  const { sp2, close } = await openSp2Records(config);
  try {
    const t = await refusingDocument(args[0], config.peer.identity, () => sp2.importUpdateInfoList(jws));
    await sp2.forwardToCa(t.transferId);
    const ids = t.devices.map((d) => d.deviceId);
    if (json) io.out(JSON.stringify({ transferId: t.transferId, devices: ids }));
    else {
      io.out(t.transferId);
      io.err(`UpdateInfoList of ${ids.length} device(s) imported; their factory certificates may enroll with CA2 once in transfer ${t.transferId}`);
    }
    return 0;
  } finally {
    await close();
  }
}

interface TmFlags {
  transfer?: string; out?: string; 'anchors-out'?: string; 'enroll-uri'?: string; 'join-uri'?: string; 'update-uri'?: string;
  'ra-uri'?: string; 'update-path'?: string; 'no-attest'?: boolean; 'update-first'?: boolean; 'not-before'?: string; 'window-hours'?: string; json?: boolean;
}

/**
 * The anchors devices need for CA2's EST server and SP2's LwM2M server (config files, else CA2's
 * root), and SP2's manifest signers (sp2.anchors.updateServer; required for update-first).
 */
function anchorsOf(config: ProviderConfig, ca2Root: Uint8Array, updateFirst: boolean): TrustAnchor[] {
  const a = config.sp2!.anchors;
  const est = a.enrollmentCaFile ? readCertificates(a.enrollmentCaFile, 'sp2.anchors.enrollmentCa') : [ca2Root];
  const lwm2m = a.lwm2mServerFile ? readCertificates(a.lwm2mServerFile, 'sp2.anchors.lwm2mServer') : [ca2Root];
  if (updateFirst && !a.updateServerFile) throw new ConfigError('sp2.anchors.updateServer is required for an update-first transfer (the certificate of SP2\'s manifest signer, which devices must trust)');
  const update = a.updateServerFile ? readCertificates(a.updateServerFile, 'sp2.anchors.updateServer') : [];
  return [
    ...est.map((certificate): TrustAnchor => ({ certificate, purpose: 'enrollment-ca', label: `${config.identity} enrollment CA`.slice(0, 64) })),
    ...lwm2m.map((certificate): TrustAnchor => ({ certificate, purpose: 'lwm2m-server', label: `${config.identity} LwM2M server`.slice(0, 64) })),
    ...update.map((certificate): TrustAnchor => ({ certificate, purpose: 'update-server', label: `${config.identity} update server`.slice(0, 64) })),
  ];
}

async function transferMessage(configFile: string | undefined, args: string[], v: TmFlags, io: CliIo): Promise<number> {
  if (args.length) throw new UsageError(`unexpected argument "${args[0]}"`);
  if (!v.transfer) throw new UsageError('--transfer ID is required (printed by "handover sp2 import")');
  if (!v.out) throw new UsageError('--out FILE is required');
  if (!v['anchors-out']) throw new UsageError('--anchors-out FILE is required (the trust anchors SP1 must deliver)');
  const config = configFrom(configFile, 'sp2');
  const t = config.sp2!.transferMessage;
  const est = config.sp2!.est;
  const dm = config.dm;
  const enrollUri = uriOption(v['enroll-uri'], '--enroll-uri', ['coap', 'coaps']) ?? t.enrollUri ?? `coaps://${hostOf(est.host, 'sp2.est.host')}:${est.port}/.well-known/est`;
  // Where devices join: SP2's bootstrap server when it runs one (sp2BootstrapUri: joinUri or its own URI), else its LwM2M server.
  const joinUri = uriOption(v['join-uri'], '--join-uri', ['coap', 'coaps']) ?? sp2BootstrapUri(config) ?? t.joinUri
    ?? (dm.kind === 'server' ? `coaps://${hostOf(dm.host, 'dm.server.host')}:${dm.coapsPort}` : undefined);
  if (!joinUri) throw new UsageError('--join-uri is required (or sp2.transferMessage.joinUri): where devices join SP2');
  if (v['update-uri'] !== undefined && v['update-path'] !== undefined) throw new UsageError('give --update-uri or --update-path, not both');
  // The envelope named on the command line, else an explicit URI in the config, else the config's envelope on SP2's update server.
  const updateUri = uriOption(v['update-uri'], '--update-uri', ['coap', 'coaps', 'http', 'https'])
    ?? (v['update-path'] !== undefined ? updateServerUri(config, v['update-path']) : undefined) ?? t.updateUri ?? updateServerUri(config, undefined);
  if (!updateUri) throw new UsageError('--update-uri or --update-path is required (or sp2.transferMessage.updateUri, or sp2.update.envelope): the envelope on SP2\'s SUIT update server');
  if (v['no-attest'] && v['ra-uri'] !== undefined) throw new UsageError('give --ra-uri or --no-attest, not both');
  // Attestation is optional: on with --ra-uri, sp2.transferMessage.raUri or SP2's RA server (sp2.ra), off with --no-attest.
  const ra = config.sp2!.ra;
  const raUri = v['no-attest'] ? null
    : uriOption(v['ra-uri'], '--ra-uri', ['coap', 'coaps']) ?? t.raUri ?? (ra ? `coap://${hostOf(ra.host, 'sp2.ra.host')}:${ra.port}/ra` : null);
  const updateFirst = (v['update-first'] ?? false) || t.updateFirst;
  let notBefore = Math.floor(Date.now() / 1000) - 60;
  if (v['not-before'] !== undefined) {
    const ms = Date.parse(v['not-before']);
    if (!/^\d{4}-\d{2}-\d{2}/.test(v['not-before']) || Number.isNaN(ms)) throw new UsageError(`--not-before must be an ISO 8601 time, got "${v['not-before']}"`);
    notBefore = Math.floor(ms / 1000);
  }
  const hours = intOption(v['window-hours'], 'window-hours', t.windowHours, 1, 24 * 366);
  checkWritable(v.out, '--out');
  checkWritable(v['anchors-out'], '--anchors-out');
  const { sp2, ca2Root, bootstrap, close } = await openSp2Records(config);
  try {
    const anchors = anchorsOf(config, ca2Root, updateFirst);
    const anchorPem = encodeAnchorFile(anchors);
    const bytes = await sp2.buildTransferMessage(v.transfer, {
      resetTimeNotBefore: notBefore, resetTimeNotAfter: notBefore + hours * 3600, raUri, updateUri, updateFirst,
      enrollUri, fallbackUri: bootstrap?.serverUri ?? joinUri, bootstrapUri: joinUri,
    });
    writeOutput(v.out, bytes);
    writeOutput(v['anchors-out'], anchorPem);
    if (v.json) io.out(JSON.stringify({ transferId: v.transfer, out: v.out, anchorsOut: v['anchors-out'], bytes: bytes.length, anchors: anchors.length, enrollUri, joinUri, ...(bootstrap ? { bootstrap: { uri: bootstrap.bootstrapUri, serverUri: bootstrap.serverUri } } : {}), updateUri, raUri, updateFirst, window: [notBefore, notBefore + hours * 3600] }));
    else {
      io.out(`TransferMessage for transfer ${v.transfer} (${bytes.length} bytes) written to ${v.out}; ${anchors.length} trust anchor(s) to ${v['anchors-out']}`);
      if (bootstrap) io.out(`bootstrap configurations written at ${bootstrap.bootstrapUri}: devices register with ${bootstrap.serverUri} after it`);
    }
    return 0;
  } finally {
    await close();
  }
}

const sp2: Command = {
  name: 'sp2',
  summary: 'SP2 (new provider): serve, import an UpdateInfoList, sign a TransferMessage',
  usage,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values: v, positionals } = parse(argv, {
      config: { type: 'string' }, json: { type: 'boolean' }, transfer: { type: 'string' }, out: { type: 'string' }, 'anchors-out': { type: 'string' },
      'enroll-uri': { type: 'string' }, 'join-uri': { type: 'string' }, 'update-uri': { type: 'string' }, 'ra-uri': { type: 'string' },
      'update-path': { type: 'string' }, 'no-attest': { type: 'boolean' }, 'update-first': { type: 'boolean' }, 'not-before': { type: 'string' }, 'window-hours': { type: 'string' },
    });
    const [verb, ...rest] = positionals;
    switch (verb) {
      case 'serve':
        if (rest.length) throw new UsageError(`unexpected argument "${rest[0]}"`);
        return serve(v.config, v.json ?? false, io);
      case 'import': return importList(v.config, rest, v.json ?? false, io);
      case 'transfer-message': return transferMessage(v.config, rest, v, io);
      case undefined: throw new UsageError('a verb is required');
      default: throw new UsageError(`unknown verb "${verb}"`);
    }
  },
};

export default sp2;
