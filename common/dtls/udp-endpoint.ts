/**
 * UdpEndpoint: the one UDP socket of a DtlsServer or DtlsClient, counting sends in flight so
 * that close() lets the last close_notify datagrams leave before the socket closes (dgram
 * resolves even literal addresses asynchronously, so a send followed at once by close() is lost).
 */
import dgram from 'node:dgram';

export class UdpEndpoint {
  readonly socket: dgram.Socket;
  private inFlight = 0;
  private waiters: Array<() => void> = [];

  constructor(type: 'udp4' | 'udp6') {
    this.socket = dgram.createSocket({ type });
  }

  send(datagram: Buffer, port: number, address: string, callback?: (error: Error | null) => void): void {
    this.inFlight++;
    try {
      this.socket.send(datagram, port, address, (err) => {
        this.settle();
        callback?.(err ?? null);
      });
    } catch (err) {
      // The socket is already closed: nothing can be sent any more.
      this.settle();
      if (callback !== undefined) setImmediate(() => callback(err as Error));
    }
  }

  /** Closes the socket once pending sends have left (at most `graceMs` later). */
  close(callback: () => void, graceMs = 500): void {
    const closeNow = () => this.socket.close(callback);
    if (this.inFlight === 0) {
      closeNow();
      return;
    }
    let done = false;
    const once = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      closeNow();
    };
    const timer = setTimeout(once, graceMs);
    this.waiters.push(once);
  }

  private settle(): void {
    this.inFlight--;
    if (this.inFlight > 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
