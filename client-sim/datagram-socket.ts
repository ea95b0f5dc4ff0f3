/**
 * The transport seam of the simulated client: anything shaped like a connected-less dgram socket.
 * A plain UDP socket satisfies it; the DTLS layer (coaps://) provides its own object with the same
 * shape, so the LwM2M client never knows which one it runs over.
 */
import * as dgram from 'node:dgram';
import type { EventEmitter } from 'node:events';

/** Address info of a datagram's sender, as dgram gives it. */
export interface RemoteInfo {
  readonly address: string;
  readonly port: number;
  readonly family?: string;
  readonly size?: number;
}

/**
 * A dgram-like socket: emits 'message'(buf, rinfo) and 'error'(err); `send` to a peer;
 * `address()` of the local end; `close()`.
 */
export interface DatagramSocket extends EventEmitter {
  send(msg: Uint8Array, port: number, address: string, callback?: (err: Error | null, bytes?: number) => void): void;
  address(): { address: string; port: number; family?: string };
  close(callback?: () => void): void;
}

/** Bind a UDP socket (udp4 or udp6 by the address) on `address`:`port` (0 = any free port). */
export function bindUdpSocket(address: string, port = 0): Promise<dgram.Socket> {
  const type = address.includes(':') ? 'udp6' : 'udp4';
  const sock = dgram.createSocket({ type });
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => { sock.close(); reject(err); };
    sock.once('error', onError);
    sock.bind(port, address, () => {
      sock.removeListener('error', onError);
      resolve(sock);
    });
  });
}
