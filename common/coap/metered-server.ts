/**
 * A node-coap server on a metered UDP socket: the server listens on a socket we bind ourselves
 * (server.listen accepts one), whose datagrams in and out are counted. The SUIT update server
 * and the RA server are each one, so that a run can report what the devices exchanged with them
 * (the demo's byte table), the way common/dtls/traffic.ts does for DTLS clients.
 */
import * as dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { isIP } from 'node:net';
import type * as coap from 'coap';
import { InvalidInputError } from '../errors';

/** Totals of one server socket since it was bound (or last reset). */
export interface UdpTraffic {
  datagramsReceived: number;
  bytesReceived: number;
  datagramsSent: number;
  bytesSent: number;
}

interface MeteredCoapListener {
  readonly address: AddressInfo;
  traffic(): UdpTraffic;
  resetTraffic(): void;
  /** Close the CoAP server, then the socket. */
  close(): Promise<void>;
}

function empty(): UdpTraffic {
  return { datagramsReceived: 0, bytesReceived: 0, datagramsSent: 0, bytesSent: 0 };
}

/** Bind a UDP socket on host:port, count its datagrams, and let `server` listen on it. */
async function listenMetered(server: coap.Server, host: string, port: number): Promise<MeteredCoapListener> {
  const socket = dgram.createSocket({ type: isIP(host) === 6 ? 'udp6' : 'udp4' });
  let totals = empty();
  await new Promise<void>((ok, fail) => {
    socket.once('error', (e) => { socket.close(); fail(e); });
    socket.bind(port, host, () => { socket.removeAllListeners('error'); ok(); });
  });
  socket.on('message', (msg: Buffer) => { totals.datagramsReceived++; totals.bytesReceived += msg.length; });
  const send = socket.send.bind(socket) as (...args: unknown[]) => void;
  (socket as unknown as { send: (...args: unknown[]) => void }).send = (...args: unknown[]) => {
    const msg = args[0];
    const length = typeof args[2] === 'number' && typeof args[1] === 'number' ? args[2] : msg instanceof Uint8Array ? msg.length : 0;
    totals.datagramsSent++;
    totals.bytesSent += length;
    send(...args);
  };
  await new Promise<void>((ok) => server.listen(socket, () => ok()));
  const address = socket.address();
  return {
    address,
    traffic: () => ({ ...totals }),
    resetTraffic: () => { totals = empty(); },
    async close() {
      await new Promise<void>((ok) => server.close(() => ok()));
      await new Promise<void>((ok) => { try { socket.close(() => ok()); } catch { ok(); } });
    },
  };
}

/** `server` listening on a metered socket once started; `what` names it in errors ("the RA server"). */
export class MeteredCoapServer {
  private listener?: MeteredCoapListener;

  constructor(private readonly server: coap.Server, private readonly what: string) {}

  async listen(host: string, port: number): Promise<void> {
    this.listener = await listenMetered(this.server, host, port);
  }

  /** Close the server and its socket (nothing when not started). */
  async close(): Promise<void> {
    const l = this.listener;
    this.listener = undefined;
    await l?.close();
  }

  get started(): boolean {
    return this.listener !== undefined;
  }

  /** The bound address; InvalidInputError when not started. */
  get address(): AddressInfo {
    if (!this.listener) throw new InvalidInputError(`${this.what} is not started`);
    return this.listener.address;
  }

  /** coap://host:port of the bound address. */
  get origin(): string {
    const a = this.address;
    return `coap://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
  }

  /** Datagrams and bytes exchanged since start (or resetTraffic); zeros when not started. */
  traffic(): UdpTraffic {
    return this.listener?.traffic() ?? empty();
  }

  resetTraffic(): void {
    this.listener?.resetTraffic();
  }
}
