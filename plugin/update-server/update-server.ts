/**
 * The SUIT update server: serves envelopes and payloads over CoAP (GET, Block2 block-wise
 * transfer by node-coap, block size chosen by the device up to 1024 bytes). Content is
 * registered in memory under a path, or read from a directory (no path traversal, regular files
 * only, size-limited). The new provider's updateURI points at an envelope here. Binds
 * 127.0.0.1 by default; bad requests get a 4.xx answer and the server keeps serving. Its
 * datagrams are counted (traffic(): what devices exchanged with it, headers included).
 */
import * as coap from 'coap';
import { readFile, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { InvalidInputError } from '../../common/errors';
import { MeteredCoapServer, type UdpTraffic } from '../../common/coap/metered-server';

export interface UpdateServerOptions {
  /** Listen address. Default 127.0.0.1. */
  readonly host?: string;
  /** Listen port. Default 0 (a free port). */
  readonly port?: number;
  /** Serve the files of this directory (beside what is registered). Default none. */
  readonly directory?: string;
  /** Largest file served from the directory, bytes. Default 16 MiB. */
  readonly maxFileBytes?: number;
}

/** Requests served, per path (block requests count one each). */
export interface UpdateServerStats {
  readonly requests: ReadonlyMap<string, number>;
}

const CBOR = 60;
const OCTET_STREAM = 42;

function normalPath(path: string): string {
  const p = `/${path.replace(/^\/+/, '')}`;
  if (p.split('/').some((s) => s === '..' || s === '.')) throw new InvalidInputError(`"${path}" is not a plain path`);
  return p;
}

export class SuitUpdateServer {
  private readonly server = coap.createServer({ type: 'udp4' });
  private readonly content = new Map<string, { data: Uint8Array; format: number }>();
  private readonly counts = new Map<string, number>();
  private readonly net = new MeteredCoapServer(this.server, 'the update server');

  constructor(private readonly opts: UpdateServerOptions = {}) {
    this.server.on('request', (req: coap.IncomingMessage, res: coap.OutgoingMessage) => {
      this.serve(req, res).catch(() => { res.code = '5.00'; res.end(); });
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

  /** The coap:// URI of `path` on this server. */
  uri(path: string): string {
    return `${this.net.origin}${normalPath(path)}`;
  }

  /** Serve `data` at `path` (envelopes: `.suit` / `.cbor` names are served as application/cbor). */
  publish(path: string, data: Uint8Array, format?: number): string {
    const p = normalPath(path);
    this.content.set(p, { data: new Uint8Array(data), format: format ?? (/\.(suit|cbor)$/.test(p) ? CBOR : OCTET_STREAM) });
    return this.net.started ? this.uri(p) : p;
  }

  unpublish(path: string): boolean {
    return this.content.delete(normalPath(path));
  }

  stats(): UpdateServerStats {
    return { requests: new Map(this.counts) };
  }

  private async serve(req: coap.IncomingMessage, res: coap.OutgoingMessage): Promise<void> {
    if (req.method !== 'GET') { res.code = '4.05'; res.end(); return; }
    let path: string;
    try {
      path = normalPath(decodeURIComponent(req.url.split('?')[0]));
    } catch {
      res.code = '4.00'; res.end(); return;
    }
    this.counts.set(path, (this.counts.get(path) ?? 0) + 1);
    const found = this.content.get(path) ?? (await this.fromDirectory(path));
    if (!found) { res.code = '4.04'; res.end(); return; }
    res.code = '2.05';
    res.setOption('Content-Format', found.format as unknown as string);
    res.end(Buffer.from(found.data.buffer, found.data.byteOffset, found.data.byteLength));
  }

  private async fromDirectory(path: string): Promise<{ data: Uint8Array; format: number } | undefined> {
    const dir = this.opts.directory;
    if (!dir) return undefined;
    try {
      const root = await realpath(resolve(dir));
      const file = await realpath(join(root, path));
      const rel = relative(root, file);
      if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return undefined;
      const s = await stat(file);
      if (!s.isFile() || s.size > (this.opts.maxFileBytes ?? 16 * 1024 * 1024)) return undefined;
      return { data: new Uint8Array(await readFile(file)), format: /\.(suit|cbor)$/.test(file) ? CBOR : OCTET_STREAM };
    } catch {
      return undefined;
    }
  }
}
