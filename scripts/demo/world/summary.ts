/**
 * The summary of a handover run: outcome counts, time, per-device latency, and the bytes each
 * device sent and received per message type beside Table I of the PKI paper (DTLS/X.509 column).
 *
 * Message sizes are the encoded protocol objects the run actually exchanged (the device's token
 * as written to it, its CSR and certificate as carried by EST, the anchors in its Trust Store);
 * wire figures are the DTLS datagrams the devices' DTLS clients counted per server during the
 * campaign (common/dtls/traffic.ts), divided by the number of devices that reached that server.
 * Attestation and update-first traffic is plain CoAP, counted at SP2's RA and update servers'
 * sockets (common/coap/metered-server.ts); those rows appear only when the run used them.
 */
import { encodeUpdateInfoList } from '../../../plugin/messages/update-info-list';
import { clientTraffic, type DtlsTraffic } from '../../../common/dtls/index';
import type { UdpTraffic } from '../../../common/coap/metered-server';
import type { SuitInstalledState } from '../../../client-sim/suit/component-store';
import type { SuitUpdateServer } from '../../../plugin/update-server/update-server';
import type { WorldDevice } from './devices';
import type { WorldFirmware } from './firmware';
import type { RaSide } from './ra-side';
import type { HandoverRun, HandoverWorld } from './world';

/** What summarize reads of a world: HandoverWorld, or the multi-process FleetHandoverWorld. */
export type SummarizedWorld = Pick<HandoverWorld, 'providers' | 'engine'> & {
  readonly devices: ReadonlyArray<Pick<WorldDevice, 'id' | 'credentials' | 'bytes'>>;
  /** SP2's RA server, when devices attested (the attestation row). */
  readonly ra?: Pick<RaSide, 'server' | 'counts'>;
  /** SP2's update server (the update row, when the transfer was update-first). */
  readonly updateServer?: Pick<SuitUpdateServer, 'traffic'>;
  /** The firmware SP2 ships, and what device i runs now (how many devices updated). */
  readonly firmware?: Pick<WorldFirmware, 'sp2'>;
  installedFirmware?(i: number): Promise<SuitInstalledState | undefined>;
};

export interface MessageBytes {
  /** Its name in `bytesPerDevice`. */
  readonly key: string;
  readonly message: string;
  /** Mean bytes per device that exchanged it. */
  readonly bytes: number;
  /** The paper's Table I figure (DTLS, X.509), when it lists one. */
  readonly paper?: string;
  readonly direction: 'device→' | '→device' | 'both' | 'providers';
}

export interface HandoverSummary {
  devices: number;
  transferred: number;
  fellBack: number;
  failed: number;
  cancelled: number;
  seconds: number;
  devicesPerSecond: number;
  /** Token delivered → arrival confirmed (or fallback recorded), ms. */
  perDeviceMs: { p50: number; p99: number };
  bytesPerDevice: Record<string, number>;
  messages: MessageBytes[];
  /** Device ids by outcome when not transferred. */
  notTransferred: Record<string, string[]>;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function mean(values: number[]): number {
  return values.length ? Math.round(values.reduce((a, b) => a + b, 0) / values.length) : 0;
}

/** Rows of the optional steps: remote attestation, and the update before enrollment. */
async function variantRows(world: SummarizedWorld, updateFirst: boolean): Promise<MessageBytes[]> {
  const rows: MessageBytes[] = [];
  const wire = (t: UdpTraffic) => t.bytesSent + t.bytesReceived;
  if (world.ra) {
    const c = world.ra.counts();
    const attested = c.accepted + c.refused;
    rows.push({ key: 'attestation', message: 'Remote attestation: challenge + EAT (wire, CoAP)', bytes: attested ? Math.round(wire(world.ra.server.traffic()) / attested) : 0, direction: 'both' });
  }
  if (updateFirst && world.updateServer) {
    let updated = world.devices.length; // unless the devices' firmware can be read
    const sp2 = world.firmware?.sp2;
    if (sp2 && world.installedFirmware) {
      updated = 0;
      for (let i = 0; i < world.devices.length; i++) if ((await world.installedFirmware(i))?.manifestDigest.hex === sp2.manifestDigestHex) updated++;
      rows.push({ key: 'suitEnvelope', message: 'SUIT envelope (SP2 firmware manifest)', bytes: sp2.envelope.length, direction: '→device' });
    }
    rows.push({ key: 'update', message: 'Update first: envelope + image (wire, CoAP)', bytes: updated ? Math.round(wire(world.updateServer.traffic()) / updated) : 0, direction: 'both' });
  }
  return rows;
}

export async function summarize(world: SummarizedWorld, run: HandoverRun, startedAt: number): Promise<HandoverSummary> {
  const p = world.providers;
  const engine = world.engine!;
  const progress = await engine.progress(run.campaignId);
  const seconds = (Date.now() - startedAt) / 1000;
  const durations: number[] = [];
  const notTransferred: Record<string, string[]> = {};
  const tokens: number[] = [];
  const anchors: number[] = [];
  const csrs: number[] = [];
  const certs: number[] = [];
  const factory: number[] = [];
  const infos: number[] = [];
  for (const d of world.devices) {
    const rec = await p.sp1.deviceRecord(d.id, run.transferId);
    const end = rec?.arrivedAt ?? rec?.fellBackAt;
    if (rec?.deliveredAt && end) durations.push(end - rec.deliveredAt);
    if (rec?.state !== 'transferred') (notTransferred[rec?.state ?? 'not-delivered'] ??= []).push(d.id);
    factory.push(d.credentials.factory.certificate.length);
    const fleetDevice = await p.sp1.device(d.id);
    if (fleetDevice) infos.push(encodeUpdateInfoList([fleetDevice]).length - 1);
    const written = p.sp1Adapter.writes.get(d.id);
    if (written?.token) tokens.push(written.token);
    const anchorBytes = written?.anchors ?? 0;
    if (anchorBytes) anchors.push(anchorBytes);
    if (d.bytes.csr) csrs.push(d.bytes.csr);
    if (d.bytes.operationalCertificate) certs.push(d.bytes.operationalCertificate);
  }
  durations.sort((a, b) => a - b);
  const accepted = await p.sp1.transfer(run.transferId);
  const tm = accepted?.messageBytes.length ?? 0;
  const est = clientTraffic.of(p.ca2Est.port);
  const sp2 = clientTraffic.of(p.sp2App.coapsPort ?? 0);
  const sp2Bootstrap = clientTraffic.of(Number(new URL(p.sp2BootstrapUri).port));
  const sp1 = clientTraffic.of(p.sp1App.coapsPort ?? 0);
  const perDevice = (total: number, n: number) => (n ? Math.round(total / n) : 0);
  const enrolled = Math.max(1, est.handshakes);
  const joined = Math.max(1, sp2.handshakes);
  const bootstrapped = Math.max(1, sp2Bootstrap.handshakes);
  const n = world.devices.length;
  const handshake = (t: DtlsTraffic) => t.handshakeSent + t.handshakeReceived;
  const records = (t: DtlsTraffic) => t.recordSent + t.recordReceived;
  const messages: MessageBytes[] = [
    { key: 'deviceUpdateInfo', message: 'DeviceUpdateInfo (SP1 → SP2, per device)', bytes: mean(infos), paper: '> 400', direction: 'providers' },
    { key: 'factoryCertificate', message: 'Factory certificate', bytes: mean(factory), paper: '> 320', direction: 'device→' },
    { key: 'transferMessage', message: 'TransferMessage (SP2 → SP1, once)', bytes: tm, paper: '> 216', direction: 'providers' },
    { key: 'token', message: 'Transfer token (CWT)', bytes: mean(tokens), paper: '> 216', direction: '→device' },
    { key: 'trustAnchors', message: 'Trust anchors written', bytes: mean(anchors), direction: '→device' },
    ...(await variantRows(world, accepted?.message.updateFirst === true)),
    { key: 'csr', message: 'CSR (PKCS#10)', bytes: mean(csrs), direction: 'device→' },
    { key: 'operationalCertificate', message: 'CA2 certificate', bytes: mean(certs), direction: '→device' },
    { key: 'estHandshake', message: 'DTLS handshake with CA2 (wire)', bytes: perDevice(handshake(est), enrolled), paper: '> 1700', direction: 'both' },
    { key: 'enrollment', message: 'Enrollment /sen (wire, DTLS records)', bytes: perDevice(records(est), enrolled), paper: '> 1170', direction: 'both' },
    { key: 'sp2Bootstrap', message: 'Bootstrap with SP2 (wire, handshake + writes)', bytes: perDevice(handshake(sp2Bootstrap) + records(sp2Bootstrap), bootstrapped), direction: 'both' },
    { key: 'sp2Handshake', message: 'DTLS handshake with SP2 (wire)', bytes: perDevice(handshake(sp2), joined), direction: 'both' },
    { key: 'sp2Join', message: 'Join SP2: registration (wire, records)', bytes: perDevice(records(sp2), joined), direction: 'both' },
    { key: 'sp1Session', message: 'SP1 session during the transfer (wire)', bytes: perDevice(handshake(sp1) + records(sp1), n), direction: 'both' },
  ];
  const bytesPerDevice = Object.fromEntries(messages.map((m) => [m.key, m.bytes]));
  return {
    devices: n,
    transferred: progress.byState.transferred,
    fellBack: progress.byState.fellBack,
    failed: progress.byState.failed,
    cancelled: progress.byState.cancelled,
    seconds: Math.round(seconds * 100) / 100,
    devicesPerSecond: Math.round((n / seconds) * 10) / 10,
    perDeviceMs: { p50: percentile(durations, 50), p99: percentile(durations, 99) },
    bytesPerDevice,
    messages,
    notTransferred,
  };
}
