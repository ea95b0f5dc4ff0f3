/**
 * The socket node-coap's Server and Agent share inside one client. It sits on the device's
 * DatagramSocket (UDP or DTLS) and adds the two things the device needs from its radio:
 *
 * - sleep: while asleep (LwM2M queue mode) every incoming datagram is dropped, as a radio that
 *   is off would; nothing is acknowledged, so the server must queue its requests.
 * - deduplication (RFC 7252 §4.5), from common/coap's DedupSocket: node-coap replays cached
 *   answers to retransmitted requests only when it owns a real dgram.Socket; on any other socket
 *   it would run the request twice (a second Create, a second Execute).
 */
import { DedupSocket, type DedupSocketOptions } from '../common/coap/dedup-socket';
import type { DatagramSocket } from './datagram-socket';

export class GatedSocket extends DedupSocket {
  private asleep = false;

  constructor(inner: DatagramSocket, opts: DedupSocketOptions = {}) {
    super(inner, opts);
  }

  /** Drop every incoming datagram until wake(). */
  sleep(): void { this.asleep = true; }
  wake(): void { this.asleep = false; }
  get sleeping(): boolean { return this.asleep; }

  /** Detach from the inner socket; the inner socket is closed too unless `closeInner` is false. */
  override close(callback?: () => void, closeInner = true): void {
    super.close(callback, closeInner);
  }

  /** A sleeping radio hears nothing; a datagram shorter than a CoAP header is noise. */
  protected override accepts(msg: Buffer): boolean {
    return !this.asleep && msg.length >= 4;
  }
}
