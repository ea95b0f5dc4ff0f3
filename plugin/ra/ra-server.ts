/**
 * The remote-attestation server (paper §VII-C/D; the raURI of the TransferMessage): a CoAP
 * verifier on node-coap. `POST <base>/challenge` with CBOR [deviceId] answers 2.05 with a fresh
 * 32-byte nonce, stored in Redis for a short time (default 60 s) and usable once;
 * `POST <base>/evidence` with an EAT (plugin/messages/evidence.ts) answers 2.04 CBOR {"ok": true},
 * or 4.03 with "<reason>: <text>". The expected state per device (SUIT manifest digest and
 * sequence number, from what SP1 shared) is set with expect() or found by a lookup function.
 * Results are kept in Redis (result()) and emitted as 'result'. Malformed requests get 4.00
 * and the server keeps serving. Its datagrams are counted (traffic()).
 */
import * as coap from 'coap';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { decodeCbor, encodeCbor } from '../../common/cose/cbor';
import { HandoverError, InvalidInputError } from '../../common/errors';
import { AttestationError, peekEvidenceNonce, verifyEvidence } from '../messages/evidence';
import { MeteredCoapServer, type UdpTraffic } from '../../common/coap/metered-server';
import { RaStore, type ExpectedFirmware, type AttestationResult } from './ra-store';

export interface RaServerOptions {
  readonly redis: Redis;
  /** Prefix of the server's Redis keys. */
  readonly keyPrefix: string;
  /** DER certificates of the factory CAs devices' evidence must chain to. */
  readonly factoryTrustAnchors: readonly Uint8Array[];
  /** Listen address. Default 127.0.0.1. */
  readonly host?: string;
  /** UDP port. Default 0 (a free one). */
  readonly port?: number;
  /** Path prefix of the two resources. Default "/ra". */
  readonly basePath?: string;
  /** Nonce lifetime, ms. Default 60000. */
  readonly nonceTtlMs?: number;
  /** Expected state of devices expect() was not told about (e.g. from SP2's UpdateInfoList). */
  readonly lookup?: (deviceId: string) => Promise<ExpectedFirmware | undefined>;
  readonly log?: (line: string) => void;
}

const CBOR_FORMAT = 60;
const OCTET_STREAM = 42;

export class RaServer extends EventEmitter<{ result: [AttestationResult] }> {
  private readonly server = coap.createServer({ type: 'udp4' });
  private readonly store: RaStore;
  private readonly base: string;
  private readonly net = new MeteredCoapServer(this.server, 'the RA server');

  constructor(private readonly opts: RaServerOptions) {
    super();
    this.store = new RaStore(opts.redis, opts.keyPrefix, opts.nonceTtlMs ?? 60_000);
    this.base = `/${(opts.basePath ?? '/ra').replace(/^\/+|\/+$/g, '')}`;
    this.server.on('request', (req: coap.IncomingMessage, res: coap.OutgoingMessage) => {
      this.serve(req, res).catch((e: Error) => {
        opts.log?.(`ra: ${e.message}`);
        reply(res, '5.00', 'internal error');
      });
    });
  }

  async start(): Promise<this> {
    await this.net.listen(this.opts.host ?? '127.0.0.1', this.opts.port ?? 0);
    return this;
  }

  close(): Promise<void> {
    return this.net.close();
  }

  /** Datagrams and bytes exchanged since start (or resetTraffic). */
  traffic(): UdpTraffic {
    return this.net.traffic();
  }

  resetTraffic(): void {
    this.net.resetTraffic();
  }

  get port(): number {
    return this.net.address.port;
  }

  /** The raURI to put in a TransferMessage: coap://host:port/<base>. */
  get uri(): string {
    return `${this.net.origin}${this.base}`;
  }

  /** Record the firmware state `deviceId` must attest to. */
  expect(deviceId: string, state: ExpectedFirmware): Promise<void> {
    return this.store.expect(deviceId, state);
  }

  /** The last attestation result of a device. */
  result(deviceId: string): Promise<AttestationResult | undefined> {
    return this.store.result(deviceId);
  }

  /** Issue a challenge (what POST /challenge does). */
  async challenge(deviceId: string): Promise<Uint8Array> {
    if (typeof deviceId !== 'string' || deviceId.length === 0 || deviceId.length > 256) throw new InvalidInputError('the challenge needs a device id');
    const nonce = new Uint8Array(randomBytes(32));
    await this.store.putNonce(nonce, deviceId);
    return nonce;
  }

  /** Verify evidence (what POST /evidence does); records and emits the result; throws AttestationError. */
  async verify(evidence: Uint8Array): Promise<AttestationResult> {
    const nonce = peekEvidenceNonce(evidence);
    const taken = await this.store.takeNonce(nonce);
    if (taken.kind === 'replayed') throw new AttestationError('replayed-nonce', 'this challenge was already answered');
    if (taken.kind === 'unknown') throw new AttestationError('unknown-nonce', 'the challenge is unknown or expired');
    const deviceId = taken.deviceId;
    let result: AttestationResult;
    try {
      const expected = (await this.store.expected(deviceId)) ?? (await this.opts.lookup?.(deviceId));
      if (!expected) throw new AttestationError('no-expectation', `no agreed firmware state for device "${deviceId}"`);
      const r = await verifyEvidence(evidence, { nonce, factoryTrustAnchors: this.opts.factoryTrustAnchors, expected: { deviceId, ...expected } });
      result = { deviceId, ok: true, at: Date.now(), suitSequence: r.suitSequence };
    } catch (e) {
      if (!(e instanceof AttestationError)) throw e;
      result = { deviceId, ok: false, at: Date.now(), reason: e.reason, message: e.message };
      await this.store.putResult(result);
      this.emit('result', result);
      throw e;
    }
    await this.store.putResult(result);
    this.emit('result', result);
    return result;
  }

  private async serve(req: coap.IncomingMessage, res: coap.OutgoingMessage): Promise<void> {
    const path = req.url.split('?')[0].replace(/\/+$/, '');
    const op = path === `${this.base}/challenge` ? 'challenge' : path === `${this.base}/evidence` ? 'evidence' : undefined;
    if (!op) return reply(res, '4.04', 'not found');
    if (req.method !== 'POST') return reply(res, '4.05', 'use POST');
    const body = new Uint8Array(req.payload);
    if (op === 'challenge') {
      let deviceId: unknown;
      try {
        const item = decodeCbor(body, 'challenge request');
        deviceId = Array.isArray(item) && item.length === 1 ? item[0] : undefined;
      } catch { deviceId = undefined; }
      if (typeof deviceId !== 'string' || deviceId.length === 0) return reply(res, '4.00', 'the body must be CBOR [deviceId]');
      const nonce = await this.challenge(deviceId);
      res.code = '2.05';
      res.setOption('Content-Format', OCTET_STREAM as unknown as string);
      res.end(Buffer.from(nonce));
      return;
    }
    try {
      await this.verify(body);
    } catch (e) {
      if (e instanceof AttestationError) {
        this.opts.log?.(`ra: refused evidence: ${e.reason}: ${e.message}`);
        return reply(res, e.reason === 'malformed' ? '4.00' : '4.03', `${e.reason}: ${e.message}`);
      }
      if (e instanceof HandoverError) return reply(res, '4.00', e.message);
      throw e;
    }
    res.code = '2.04';
    res.setOption('Content-Format', CBOR_FORMAT as unknown as string);
    res.end(Buffer.from(encodeCbor(new Map([['ok', true]]))));
  }
}

function reply(res: coap.OutgoingMessage, code: string, text: string): void {
  res.code = code;
  res.end(Buffer.from(text.slice(0, 200), 'utf8'));
}

export type { ExpectedFirmware, AttestationResult };
