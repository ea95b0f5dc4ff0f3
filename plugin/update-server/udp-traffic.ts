/**
 * A CoAP server's bytes on the wire: node-coap servers listen on a UDP socket we bind ourselves
 * (server.listen accepts one), whose datagrams in and out are counted. The update server and
 * the RA server use it so that a run can report what the devices exchanged with them (the
 * demo's byte table), the way common/dtls/traffic.ts does for DTLS clients.
 */
import * as dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { isIP } from 'node:net';
import type * as coap from 'coap';

/** Totals of one server socket since it was bound (or last reset). */
export interface UdpTraffic {
  datagramsReceived: number;
  bytesReceived: number;
  datagramsSent: number;
  bytesSent: number;
}

export interface MeteredCoapListener {
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
export async function listenMetered(server: coap.Server, host: string, port: number): Promise<MeteredCoapListener> {
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
