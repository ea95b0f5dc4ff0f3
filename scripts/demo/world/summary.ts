/**
 * The summary of a handover run: outcome counts, time, per-device latency, and the bytes each
 * device sent and received per message type beside Table I of the PKI paper (DTLS/X.509 column).
 *
 * Message sizes are the encoded protocol objects the run actually exchanged (the device's token
 * as written to it, its CSR and certificate as carried by EST, the anchors in its Trust Store);
 * wire figures are the DTLS datagrams the devices' DTLS clients counted per server during the
 * campaign (common/dtls/traffic.ts), divided by the number of devices that reached that server.
 */
import { encodeUpdateInfoList } from '../../../plugin/messages/update-info-list';
import { clientTraffic } from '../../../common/dtls/index';
import type { HandoverRun, HandoverWorld } from './world';

export interface MessageBytes {
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

export async function summarize(world: HandoverWorld, run: HandoverRun, startedAt: number): Promise<HandoverSummary> {
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
  const tm = (await p.sp1.transfer(run.transferId))?.messageBytes.length ?? 0;
  const est = clientTraffic.of(p.ca2Est.port);
  const sp2 = clientTraffic.of(p.sp2App.coapsPort ?? 0);
  const sp1 = clientTraffic.of(p.sp1App.coapsPort ?? 0);
  const perDevice = (total: number, n: number) => (n ? Math.round(total / n) : 0);
  const enrolled = Math.max(1, est.handshakes);
  const joined = Math.max(1, sp2.handshakes);
  const n = world.devices.length;
  const messages: MessageBytes[] = [
    { message: 'DeviceUpdateInfo (SP1 → SP2, per device)', bytes: mean(infos), paper: '> 400', direction: 'providers' },
    { message: 'Factory certificate', bytes: mean(factory), paper: '> 320', direction: 'device→' },
    { message: 'TransferMessage (SP2 → SP1, once)', bytes: tm, paper: '> 216', direction: 'providers' },
    { message: 'Transfer token (CWT)', bytes: mean(tokens), paper: '> 216', direction: '→device' },
    { message: 'Trust anchors written', bytes: mean(anchors), direction: '→device' },
    { message: 'CSR (PKCS#10)', bytes: mean(csrs), direction: 'device→' },
    { message: 'CA2 certificate', bytes: mean(certs), direction: '→device' },
    { message: 'DTLS handshake with CA2 (wire)', bytes: perDevice(est.handshakeSent + est.handshakeReceived, enrolled), paper: '> 1700', direction: 'both' },
    { message: 'Enrollment /sen (wire, DTLS records)', bytes: perDevice(est.recordSent + est.recordReceived, enrolled), paper: '> 1170', direction: 'both' },
    { message: 'DTLS handshake with SP2 (wire)', bytes: perDevice(sp2.handshakeSent + sp2.handshakeReceived, joined), direction: 'both' },
    { message: 'Join SP2: registration (wire, records)', bytes: perDevice(sp2.recordSent + sp2.recordReceived, joined), direction: 'both' },
    { message: 'SP1 session during the transfer (wire)', bytes: perDevice(sp1.handshakeSent + sp1.handshakeReceived + sp1.recordSent + sp1.recordReceived, n), direction: 'both' },
  ];
  const bytesPerDevice: Record<string, number> = {
    deviceUpdateInfo: mean(infos), factoryCertificate: mean(factory), transferMessage: tm, token: mean(tokens), trustAnchors: mean(anchors),
    csr: mean(csrs), operationalCertificate: mean(certs),
    estHandshake: perDevice(est.handshakeSent + est.handshakeReceived, enrolled), enrollment: perDevice(est.recordSent + est.recordReceived, enrolled),
    sp2Handshake: perDevice(sp2.handshakeSent + sp2.handshakeReceived, joined), sp2Join: perDevice(sp2.recordSent + sp2.recordReceived, joined),
    sp1Session: perDevice(sp1.handshakeSent + sp1.handshakeReceived + sp1.recordSent + sp1.recordReceived, n),
  };
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
