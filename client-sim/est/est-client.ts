/**
 * EstClient: the device's EST-coaps client (RFC 9148) on a node-coap Agent over a DtlsClient in
 * certificate mode — the certificate presented in the handshake (factory for /sen and /skg,
 * operational for /sren) is what authenticates the device. Large CSRs go out with Block1 and
 * large answers come back with Block2 (early negotiation of `blockSize`).
 *
 * A `coap://` URI talks plain CoAP to a server in insecure development mode: the leaf of
 * `certChainPem` is then claimed in CoAP option 65001 (no proof of possession at all).
 *
 * A 5.03 Service Unavailable with a Max-Age (a busy CA, RFC 9148 §5.7) is waited out: the
 * client sends the identical request again after Max-Age seconds (a little jitter added so a
 * crowd told the same Max-Age does not come back at once), for at most `busyWaitMs` in all.
 *
 * Failures: 4.01 / 4.03 answers with a policy reason become EnrollmentRefusedError(reason);
 * every other non-success answer, timeout or transport failure is an EstError (with the CoAP
 * code when there was an answer); a success answer that does not decode is an EstPayloadError.
 */
import dgram from 'node:dgram';
import type { KeyObject } from 'node:crypto';
import * as coap from 'coap';
import { guardSendCallback } from '../../common/dtls/send-args';
import { DtlsClient } from '../../common/dtls/index';
import {
  DEV_IDENTITY_OPTION, EnrollmentRefusedError, EstContentFormat, EstError, EstPayloadError, decodeCertsOnly,
  decodeCsrAttributes, decodeMultipartCore, decodePrivateKey, isEnrollmentRefusalReason, parsedOptions, uintOption,
} from '../../common/est/index';
import { pemToDer } from '../../common/pki/index';

export interface EstClientOptions {
  /** coaps://host:port/.well-known/est (coap:// only against a server in insecure development mode). */
  readonly uri: string;
  /** The device's chain (leaf first) and key, and the CA(s) the EST server's certificate must chain to. */
  readonly certificate: { readonly certChainPem: string; readonly keyPem: string; readonly caPem: string };
  /** Per request, ms (default 30 000). */
  readonly timeoutMs?: number;
  /** Block size for Block1 requests and Block2 answers: 16..1024, a power of two (default 512). */
  readonly blockSize?: number;
  /** Longest total wait on 5.03 + Max-Age answers before giving up with the 5.03, ms (default 120 000). */
  readonly busyWaitMs?: number;
}

interface Answer {
  readonly code: string;
  readonly contentFormat: number | undefined;
  /** Max-Age option, s (a 5.03's "ask again then"). */
  readonly maxAge: number | undefined;
  readonly payload: Buffer;
}

/** Jitter added to a Max-Age wait: up to this fraction of it. */
const BUSY_JITTER = 0.25;

export class EstClient {
  private readonly host: string;
  private readonly port: number;
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly busyWaitMs: number;
  private readonly szx: number;
  private readonly blockSize: number;
  private readonly dtls: DtlsClient | undefined;
  private readonly agent: coap.Agent;
  private readonly devIdentity: Buffer | undefined;
  private closed = false;

  constructor(opts: EstClientOptions) {
    let url: URL;
    try { url = new URL(opts.uri); } catch { throw new EstError(`not a URI: ${opts.uri}`); }
    if (url.protocol !== 'coaps:' && url.protocol !== 'coap:') throw new EstError(`EST-coaps needs a coaps:// URI, not ${opts.uri}`);
    this.host = url.hostname.replace(/^\[|\]$/g, '');
    this.port = url.port === '' ? (url.protocol === 'coaps:' ? 5684 : 5683) : Number(url.port);
    this.base = url.pathname.replace(/\/+$/, '') || '/.well-known/est';
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.busyWaitMs = opts.busyWaitMs ?? 120_000;
    this.blockSize = opts.blockSize ?? 512;
    this.szx = Math.log2(this.blockSize) - 4;
    if (!Number.isInteger(this.szx) || this.szx < 0 || this.szx > 6) throw new EstError('blockSize must be a power of two from 16 to 1024');
    const type = this.host.includes(':') ? 'udp6' : 'udp4';
    if (url.protocol === 'coaps:') {
      this.dtls = new DtlsClient({ host: this.host, port: this.port, type, certificate: opts.certificate });
      this.dtls.on('error', () => undefined); // UDP errors surface as failed requests
      guardSends(this.dtls);
      this.agent = new coap.Agent({ socket: this.dtls as unknown as dgram.Socket, type });
    } else {
      const leaf = pemToDer(opts.certificate.certChainPem)[0];
      if (leaf === undefined) throw new EstError('certificate.certChainPem holds no certificate');
      this.devIdentity = Buffer.from(leaf);
      this.agent = new coap.Agent({ type });
    }
  }

  /** GET /crts: the CA certificates (certs-only PKCS#7), this CA first. */
  async cacerts(): Promise<Uint8Array[]> {
    const a = await this.exchange('GET', 'crts', undefined, EstContentFormat.pkcs7CertsOnly);
    return decodeCertsOnly(a.payload);
  }

  /** POST /sen: enroll with the factory certificate of the channel; the new certificate (DER). */
  async simpleEnroll(csrDer: Uint8Array): Promise<Uint8Array> {
    return this.enroll('sen', csrDer);
  }

  /** POST /sren: re-enroll, the channel authenticated with the current operational certificate. */
  async simpleReenroll(csrDer: Uint8Array): Promise<Uint8Array> {
    return this.enroll('sren', csrDer);
  }

  /** GET /att: the OIDs (attribute types) the CA wants in a CSR. */
  async csrAttributes(): Promise<string[]> {
    const a = await this.exchange('GET', 'att', undefined, EstContentFormat.csrAttrs);
    return decodeCsrAttributes(a.payload).map((i) => i.oid);
  }

  /** POST /skg: the server generates the key; the CSR only names the subject. */
  async serverKeyGen(csrDer: Uint8Array): Promise<{ privateKey: KeyObject; certificate: Uint8Array }> {
    const a = await this.exchange('POST', 'skg', csrDer, EstContentFormat.multipartCore);
    const parts = decodeMultipartCore(a.payload);
    const key = parts.find((p) => p.contentFormat === EstContentFormat.pkcs8);
    const cert = parts.find((p) => p.contentFormat === EstContentFormat.pkcs7CertsOnly || p.contentFormat === EstContentFormat.pkixCert);
    if (key === undefined || cert === undefined) throw new EstPayloadError('/skg answer lacks the PKCS#8 key or the certificate');
    const certificate = cert.contentFormat === EstContentFormat.pkixCert ? cert.payload : decodeCertsOnly(cert.payload)[0];
    if (certificate === undefined) throw new EstPayloadError('/skg answer holds no certificate');
    return { privateKey: decodePrivateKey(key.payload), certificate };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.dtls !== undefined) {
      // node-coap's Agent never calls back close() on a socket it was given: close the socket ourselves.
      this.agent.close();
      await new Promise<void>((resolve) => this.dtls!.close(() => resolve()));
    } else {
      await new Promise<void>((resolve) => {
        this.agent.close(() => resolve());
        setTimeout(resolve, 1_000).unref();
      });
    }
  }

  private async enroll(resource: 'sen' | 'sren', csrDer: Uint8Array): Promise<Uint8Array> {
    const a = await this.exchange('POST', resource, csrDer, EstContentFormat.pkcs7CertsOnly);
    const certs = decodeCertsOnly(a.payload);
    if (certs.length === 0) throw new EstPayloadError(`/${resource} answer holds no certificate`);
    return certs[0];
  }

  /** One request; resolves with a success answer in `accept`, or throws the mapped error. */
  private async exchange(method: 'GET' | 'POST', resource: string, payload: Uint8Array | undefined, accept: number): Promise<Answer> {
    if (this.closed) throw new EstError('the EST client is closed');
    let answer = await this.request(method, resource, payload, accept);
    for (let waited = 0; answer.code === '5.03' && answer.maxAge !== undefined && answer.maxAge >= 0;) {
      const wait = Math.max(1, answer.maxAge) * 1000 * (1 + Math.random() * BUSY_JITTER);
      if (waited + wait > this.busyWaitMs || this.closed) break;
      await new Promise((r) => setTimeout(r, wait));
      waited += wait;
      if (this.closed) throw new EstError('the EST client is closed');
      answer = await this.request(method, resource, payload, accept);
    }
    const ok = method === 'GET' ? '2.05' : '2.04';
    if (answer.code !== ok) throw failure(resource, answer);
    if (answer.contentFormat !== accept) {
      throw new EstError(`/${resource}: answer in Content-Format ${answer.contentFormat ?? 'none'}, asked for ${accept}`, answer.code);
    }
    return answer;
  }

  private request(method: 'GET' | 'POST', resource: string, payload: Uint8Array | undefined, accept: number): Promise<Answer> {
    return new Promise<Answer>((resolve, reject) => {
      const req = coap.request({ hostname: this.host, port: this.port, method, pathname: `${this.base}/${resource}`, confirmable: true, agent: this.agent });
      const timer = setTimeout(() => settle(new EstError(`/${resource}: no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      let settled = false;
      const settle = (result: Answer | Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (result instanceof Error) reject(result); else resolve(result);
      };
      req.on('response', (res: coap.IncomingMessage) => settle({
        code: res.code,
        contentFormat: uintOption(parsedOptions(res), 'Content-Format'),
        maxAge: uintOption(parsedOptions(res), 'Max-Age'),
        payload: res.payload ?? Buffer.alloc(0),
      }));
      req.on('error', (e: Error) => settle(new EstError(`/${resource}: ${e.message}`, undefined, { cause: e })));
      req.on('timeout', (e: Error) => settle(new EstError(`/${resource}: ${e?.message ?? 'timeout'}`, undefined, { cause: e })));
      req.setOption('Accept', accept);
      if (this.devIdentity !== undefined) req.setOption(String(DEV_IDENTITY_OPTION), this.devIdentity);
      if (this.blockSize < 1024) req.setOption('Block2', Buffer.of(this.szx)); // early negotiation (RFC 7959 §2.4)
      if (payload !== undefined) {
        req.setOption('Content-Format', EstContentFormat.pkcs10);
        if (payload.length > this.blockSize) req.setOption('Block1', Buffer.of(this.szx));
        req.end(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength));
      } else {
        req.end();
      }
    });
  }
}

/** The error for a non-success answer: a policy refusal keeps its reason. */
function failure(resource: string, a: Answer): Error {
  const diagnostic = a.payload.toString('utf8');
  const reason = /^([a-z-]+): /.exec(diagnostic)?.[1];
  if ((a.code === '4.03' || a.code === '4.01') && reason !== undefined && isEnrollmentRefusalReason(reason)) {
    return new EnrollmentRefusedError(reason, diagnostic.slice(reason.length + 2));
  }
  return new EstError(`/${resource}: ${a.code}${diagnostic ? ` ${diagnostic}` : ''}`, a.code);
}

/** Every send of the agent through `dtls` gets its failure guarded (guardSendCallback). */
function guardSends(dtls: DtlsClient): void {
  const send = dtls.send.bind(dtls);
  dtls.send = (...args: unknown[]) => {
    const last = args[args.length - 1];
    if (typeof last === 'function') args[args.length - 1] = guardSendCallback(last as (err: Error | null, bytes?: number) => void);
    send(...args);
  };
}
