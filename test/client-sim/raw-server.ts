/**
 * A raw CoAP test server acting as LwM2M (and bootstrap) server toward the simulated client:
 * records Register / Update / De-register / Send, and sends requests to the device from its own
 * socket, with plain node-coap. Binds 127.0.0.1 on a free port.
 */
import * as coap from 'coap';
import type { Socket } from 'node:dgram';
import { optionStrings } from '../../client-sim/coap-options';
import { bindUdpSocket } from '../../client-sim/datagram-socket';

export interface Uplink {
  readonly method: string;
  readonly path: string;
  readonly query: string[];
  readonly payload: Buffer;
  readonly format?: unknown;
  readonly port: number;
}

export interface RawResponse {
  readonly code: string;
  readonly payload: Buffer;
  readonly format: unknown;
  readonly options: Array<{ name: string | number; value: unknown }>;
}

export class RawServer {
  readonly uplinks: Uplink[] = [];
  /** Answer the next Updates with 4.04 while true. */
  forgetRegistrations = false;
  /** Extra route: return true when handled. */
  route?: (req: coap.IncomingMessage, res: coap.OutgoingMessage) => boolean;
  private server = coap.createServer();
  private agent?: coap.Agent;
  private agentSocket?: Socket;
  private next = 1;
  private waiters: Array<{ test: (u: Uplink) => boolean; resolve: (u: Uplink) => void }> = [];
  port = 0;

  async start(): Promise<this> {
    this.server.on('request', (req: coap.IncomingMessage, res: coap.OutgoingMessage) => this.onRequest(req, res));
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    const sock = (this.server as unknown as { _sock: Socket })._sock;
    this.port = sock.address().port;
    // The agent gets its own socket: node-coap closes an agent's internal socket whenever it has
    // no request in flight, which races with the next request.
    this.agentSocket = await bindUdpSocket('127.0.0.1');
    this.agent = new coap.Agent({ socket: this.agentSocket });
    return this;
  }

  get uri(): string { return `coap://127.0.0.1:${this.port}`; }

  async close(): Promise<void> {
    this.agent?.close();
    await new Promise<void>((r) => (this.agentSocket ? this.agentSocket.close(() => r()) : r()));
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** The next uplink matching `test` (already received ones count). */
  waitFor(test: (u: Uplink) => boolean, timeoutMs = 5000): Promise<Uplink> {
    const seen = this.uplinks.find(test);
    if (seen) return Promise.resolve(seen);
    return this.nextUplink(test, timeoutMs);
  }

  /** The next uplink matching `test` from now on. */
  nextUplink(test: (u: Uplink) => boolean, timeoutMs = 5000): Promise<Uplink> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no matching uplink in time')), timeoutMs);
      this.waiters.push({ test, resolve: (u) => { clearTimeout(timer); resolve(u); } });
    });
  }

  /** Send a request to the device at 127.0.0.1:`port`. */
  request(port: number, opts: {
    method?: 'GET' | 'PUT' | 'POST' | 'DELETE' | 'FETCH' | 'iPATCH' | 'PATCH';
    path: string; query?: string; accept?: number; format?: number; payload?: Uint8Array; block1?: boolean; timeoutMs?: number;
  }): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      const options: Record<string, unknown> = {};
      if (opts.accept !== undefined) options.Accept = opts.accept;
      if (opts.format !== undefined) options['Content-Format'] = opts.format;
      if (opts.block1) options.Block1 = Buffer.of(2); // 64-byte blocks
      const req = this.agent!.request({
        hostname: '127.0.0.1', port, method: (opts.method ?? 'GET') as 'GET', pathname: opts.path, query: opts.query,
        options: options as coap.CoapRequestParams['options'], confirmable: true, retrySend: 0,
      });
      const timer = setTimeout(() => { this.agent!.abort(req); reject(new Error('device did not answer')); }, opts.timeoutMs ?? 3000);
      req.on('response', (res: coap.IncomingMessage) => {
        clearTimeout(timer);
        resolve({ code: res.code, payload: res.payload, format: res.headers['Content-Format'], options: res._packet.options as RawResponse['options'] });
      });
      req.on('error', (e: Error) => { clearTimeout(timer); reject(e); });
      req.end(opts.payload ? Buffer.from(opts.payload) : undefined);
    });
  }

  /** Observe `path` on the device; notifications arrive on the returned stream's 'data'. */
  observe(port: number, path: string, accept?: number, method: 'GET' | 'FETCH' = 'GET', payload?: Uint8Array, format?: number): Promise<coap.ObserveReadStream> {
    return new Promise((resolve, reject) => {
      const options: Record<string, unknown> = {};
      if (accept !== undefined) options.Accept = accept;
      if (format !== undefined) options['Content-Format'] = format;
      const req = this.agent!.request({ hostname: '127.0.0.1', port, method, pathname: path, observe: true, options: options as coap.CoapRequestParams['options'] });
      req.on('response', (res: coap.ObserveReadStream) => resolve(res));
      req.on('error', reject);
      req.end(payload ? Buffer.from(payload) : undefined);
    });
  }

  private onRequest(req: coap.IncomingMessage, res: coap.OutgoingMessage): void {
    const [path, q] = req.url.split('?');
    const u: Uplink = { method: req.method, path, query: q ? q.split('&') : [], payload: req.payload, format: req.headers['Content-Format'], port: req.rsinfo.port };
    this.uplinks.push(u);
    for (const w of [...this.waiters]) if (w.test(u)) { this.waiters.splice(this.waiters.indexOf(w), 1); w.resolve(u); }
    if (this.route?.(req, res)) return;
    if (req.method === 'POST' && path === '/rd') {
      res.code = '2.01';
      res.setOption('Location-Path', [Buffer.from('rd'), Buffer.from(`r${this.next++}`)]);
      res.end();
    } else if (req.method === 'POST' && path.startsWith('/rd/')) {
      res.code = this.forgetRegistrations ? '4.04' : '2.04';
      res.end();
    } else if (req.method === 'DELETE' && path.startsWith('/rd/')) {
      res.code = '2.02';
      res.end();
    } else if (req.method === 'POST' && path === '/dp') {
      res.code = '2.04';
      res.end();
    } else {
      res.code = '4.04';
      res.end();
    }
  }
}

export { optionStrings };

/**
 * node-coap opens two global agents' UDP sockets when it is imported; they keep jest from
 * exiting. Test files that load `coap` close them in afterAll.
 */
export function closeCoapGlobalAgents(): void {
  coap.globalAgent.close();
  coap.globalAgentIPv6.close();
}
