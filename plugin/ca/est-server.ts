/**
 * EstServer: the CA's face to devices — EST-coaps (RFC 9148) on node-coap over DTLS 1.2 in
 * certificate mode with mutual authentication (common/dtls). The client's certificate chain
 * comes from the DTLS session, never from the payload; EstService does the protocol.
 *
 * Block-wise: node-coap's Server reassembles Block1 requests (large CSRs) and answers large
 * payloads (/crts chains, /skg) with Block2 on its own; common/coap's Block2Answers keeps each
 * large answer so that later blocks keep its code and Content-Format and never re-run an
 * enrollment. common/coap's DedupSocket answers retransmitted requests from memory, which
 * node-coap skips on a non-dgram socket.
 *
 * Load: at most `maxConcurrentEnrollments` enrollments (/sen /sren /skg /skc) run at once; one
 * more is answered 5.03 Service Unavailable with a Max-Age of the expected wait (RFC 9148 §5.7:
 * the client waits Max-Age, then resends the identical CSR), so a crowd of devices backs off
 * at the CA's pace instead of timing out behind a queue. A resent CSR of an enrollment that did
 * finish gets the same certificate (est-service.ts).
 *
 * allowInsecure (development only, off by default): plain CoAP on UDP, no channel security. The
 * client identity is then taken from CoAP option 65001 (DEV_IDENTITY_OPTION): the client's
 * certificate as DER, accepted when it is currently valid and directly signed by a certificate
 * of `dtls.caPem`. Nothing proves the client holds its key: anyone can claim any listed device.
 * The server says so loudly when it starts.
 */
import dgram from 'node:dgram';
import { X509Certificate } from 'node:crypto';
import * as coap from 'coap';
import { DtlsServer } from '../../common/dtls/index';
import { DEV_IDENTITY_OPTION, bytesOption, parsedOptions, uintOption, type CsrAttrOrOid } from '../../common/est/index';
import { pemToDer } from '../../common/pki/index';
import type { EnrollmentPolicy } from './enrollment-policy';
import { Block2Answers } from '../../common/coap/block2-answers';
import { DedupSocket } from '../../common/coap/dedup-socket';
import { EstService, type EstCertificateAuthority, type EstResponse } from './est-service';

export interface EstServerOptions {
  readonly ca: EstCertificateAuthority;
  readonly policy: EnrollmentPolicy;
  /** Address to bind (default 127.0.0.1). */
  readonly host?: string;
  /** UDP port (default 0: a free one; see `port` after start()). */
  readonly port?: number;
  /** Own chain and key (EC P-256), and `caPem`: the factory CA(s) and this CA — who may connect. */
  readonly dtls: { readonly certChainPem: string; readonly keyPem: string; readonly caPem: string };
  /** Development only: plain CoAP, identity from option 65001 (see the file header). Default false. */
  readonly allowInsecure?: boolean;
  /** Served on /att (default: EstService's DEFAULT_CSR_ATTRIBUTES). */
  readonly csrAttributes?: readonly CsrAttrOrOid[];
  /** Validity of issued operational certificates (default: the CA's, 365 days). */
  readonly validityDays?: number;
  /** Enrollments handled at once; more are answered 5.03 + Max-Age (see the header). Default 64. */
  readonly maxConcurrentEnrollments?: number;
  readonly log?: (line: string) => void;
}

/** Resources that enroll (issue a certificate): the ones subject to maxConcurrentEnrollments. */
const ENROLLING = new Set(['sen', 'sren', 'skg', 'skc']);
/** Bounds of the Max-Age of a 5.03 answer, s. */
const BUSY_MAX_AGE_S = { min: 1, max: 60 } as const;

/** The EST root resource (RFC 9148 §5.1: the server MUST support it). */
const ROOT = '/.well-known/est/';
const LINKS: readonly [string, string, string][] = [
  ['crts', 'ace.est.crts', '"281 287"'], ['sen', 'ace.est.sen', '"281 287"'], ['sren', 'ace.est.sren', '"281 287"'],
  ['att', 'ace.est.att', '285'], ['skg', 'ace.est.skg', '62'], ['skc', 'ace.est.skc', '62'],
];

export class EstServer {
  private readonly service: EstService;
  private readonly log: (line: string) => void;
  private readonly trustAnchors: X509Certificate[];
  private coapServer: coap.Server | undefined;
  private dtls: DtlsServer | undefined;
  private udp: dgram.Socket | undefined;
  private dedup: DedupSocket | undefined;
  private boundPort = 0;
  private readonly block2Answers = new Block2Answers();
  /** Enrollments in progress, and a moving average of how long one takes (ms, wall clock). */
  private enrolling = 0;
  private enrollMs = 100;

  constructor(private readonly opts: EstServerOptions) {
    this.log = opts.log ?? (() => undefined);
    this.service = new EstService({ ca: opts.ca, policy: opts.policy, csrAttributes: opts.csrAttributes, validityDays: opts.validityDays, log: this.log });
    this.trustAnchors = pemToDer(opts.dtls.caPem).map((der: Buffer) => new X509Certificate(der));
  }

  get port(): number {
    return this.boundPort;
  }

  get uri(): string {
    const host = this.opts.host ?? '127.0.0.1';
    return `${this.opts.allowInsecure ? 'coap' : 'coaps'}://${host.includes(':') ? `[${host}]` : host}:${this.boundPort}/.well-known/est`;
  }

  async start(): Promise<void> {
    if (this.coapServer !== undefined) return;
    const host = this.opts.host ?? '127.0.0.1';
    const server = coap.createServer({ type: host.includes(':') ? 'udp6' : 'udp4' }, (req, res) => {
      this.onRequest(req, res).catch((e: Error) => this.log(`est: request failed: ${e.message}`));
    });
    if (this.opts.allowInsecure) {
      const warn = this.opts.log ?? ((line: string) => console.warn(line));
      warn('!!! EST SERVER IN INSECURE DEVELOPMENT MODE: plain CoAP without DTLS; the client identity is an unauthenticated '
        + `certificate claimed in CoAP option ${DEV_IDENTITY_OPTION}. Never use this in production. !!!`);
      const udp = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(this.opts.port ?? 0, host, () => { udp.off('error', reject); resolve(); });
      });
      this.udp = udp;
      this.boundPort = udp.address().port;
      server.listen(udp);
    } else {
      const dtls = new DtlsServer({ certificate: this.opts.dtls });
      dtls.on('error', (e: Error) => this.log(`est: DTLS socket error: ${e.message}`));
      this.boundPort = (await dtls.listen(this.opts.port ?? 0, host)).port;
      this.dtls = dtls;
      this.dedup = new DedupSocket(dtls);
      server.listen(this.dedup);
    }
    this.coapServer = server;
    this.log(`est: serving ${this.uri}`);
  }

  async stop(): Promise<void> {
    const server = this.coapServer;
    if (server === undefined) return;
    this.coapServer = undefined;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.dedup?.close();
    this.dedup = undefined;
    if (this.dtls !== undefined) await new Promise<void>((resolve) => this.dtls!.close(() => resolve()));
    this.dtls = undefined;
    if (this.udp !== undefined) await new Promise<void>((resolve) => this.udp!.close(() => resolve()));
    this.udp = undefined;
    this.block2Answers.clear();
  }

  private async onRequest(req: coap.IncomingMessage, res: coap.OutgoingMessage): Promise<void> {
    const path = req.url.split('?')[0];
    // The client may be gone by now (its DTLS session closed or expired): the answer is lost, the
    // server keeps serving. What was recorded (an enrollment) stays recorded.
    res.on('error', (e: Error) => this.log(`est: answer to ${req.rsinfo.address}:${req.rsinfo.port} ${path} not sent: ${e.message}`));
    // A later block is cut from the kept answer, never by running the request again.
    const server = this.coapServer;
    if (server === undefined) return; // stopped meanwhile
    const late = this.block2Answers.serveLate(server, req, res);
    if (late === 'served') return;
    let response: EstResponse & { maxAge?: number };
    if (late === 'unknown') {
      response = { code: '4.08', payload: new Uint8Array(Buffer.from('no answer in progress for this Block2 request; start at block 0')) };
    } else if (path === '/.well-known/core') {
      response = this.discovery(req);
    } else if (path.startsWith(ROOT)) {
      const resource = path.slice(ROOT.length);
      const enrolls = ENROLLING.has(resource);
      if (enrolls && this.enrolling >= (this.opts.maxConcurrentEnrollments ?? 64)) {
        response = this.busy();
      } else {
        const started = Date.now();
        if (enrolls) this.enrolling++;
        try {
          response = await this.service.handle({
            resource,
            method: req.method,
            contentFormat: uintOption(parsedOptions(req), 'Content-Format'),
            accept: uintOption(parsedOptions(req), 'Accept'),
            payload: new Uint8Array(req.payload ?? Buffer.alloc(0)),
            clientChain: this.clientChain(req),
          });
        } finally {
          if (enrolls) {
            this.enrolling--;
            this.enrollMs = 0.9 * this.enrollMs + 0.1 * (Date.now() - started);
          }
        }
      }
    } else {
      response = { code: '4.04', payload: new Uint8Array(Buffer.from(`no resource ${path}`)) };
    }
    res.code = response.code;
    if (response.contentFormat !== undefined) res.setOption('Content-Format', response.contentFormat);
    if (response.maxAge !== undefined) res.setOption('Max-Age', response.maxAge);
    // The answer to the last block of a Block1 request echoes its Block1 option (RFC 7959 §2.3).
    const block1 = bytesOption(parsedOptions(req), 'Block1');
    if (block1 !== undefined) res.setOption('Block1', block1);
    res.end(Buffer.from(response.payload.buffer, response.payload.byteOffset, response.payload.byteLength));
    // node-coap cached the answer if it went block-wise: take it over (see Block2Answers).
    this.block2Answers.adopt(server, req, res);
  }

  /** 5.03 with the expected wait: the enrollments ahead, each taking about enrollMs. */
  private busy(): EstResponse & { maxAge: number } {
    const limit = this.opts.maxConcurrentEnrollments ?? 64;
    const wait = Math.ceil((this.enrolling / limit) * this.enrollMs / 1000 * (1 + Math.random()));
    const maxAge = Math.min(BUSY_MAX_AGE_S.max, Math.max(BUSY_MAX_AGE_S.min, wait));
    this.log(`est: ${this.enrolling} enrollments in progress: 5.03, Max-Age ${maxAge} s`);
    return { code: '5.03', maxAge, payload: new Uint8Array(Buffer.from(`busy: ${this.enrolling} enrollments in progress, retry in ${maxAge} s`)) };
  }

  /** The client's chain (leaf first): from the DTLS session, or in insecure mode from option 65001. */
  private clientChain(req: coap.IncomingMessage): Uint8Array[] {
    if (this.dtls !== undefined) {
      const identity = this.dtls.identityOf(req.rsinfo);
      return identity?.kind === 'x509' ? identity.chain.map((c) => new Uint8Array(c)) : [];
    }
    const claimed = bytesOption(parsedOptions(req), String(DEV_IDENTITY_OPTION));
    if (claimed === undefined) return [];
    try {
      const leaf = new X509Certificate(claimed);
      const now = Date.now();
      const current = Date.parse(leaf.validFrom) <= now && now <= Date.parse(leaf.validTo);
      const trusted = this.trustAnchors.some((ca) => leaf.checkIssued(ca) && leaf.verify(ca.publicKey));
      if (current && trusted) return [new Uint8Array(claimed)];
      this.log('est: insecure mode: claimed identity is not a current certificate of a trusted CA');
    } catch {
      this.log('est: insecure mode: claimed identity is not a certificate');
    }
    return [];
  }

  /** GET /.well-known/core (RFC 9148 §5.1), filtered by rt= when given. */
  private discovery(req: coap.IncomingMessage): EstResponse {
    if (req.method !== 'GET') return { code: '4.05', payload: new Uint8Array(Buffer.from('GET only')) };
    const rt = /(?:^|&)rt=([^&]*)/.exec(req.url.split('?')[1] ?? '')?.[1];
    const matches = (t: string) => rt === undefined || (rt.endsWith('*') ? t.startsWith(rt.slice(0, -1)) : t === rt);
    const links = LINKS.filter(([, t]) => matches(t)).map(([r, t, ct]) => `<${ROOT}${r}>;rt="${t}";ct=${ct}`).join(',');
    return { code: '2.05', contentFormat: 40, payload: new Uint8Array(Buffer.from(links)) };
  }
}

