/**
 * Bytes on the wire of every DtlsClient in this process, by server port and by phase
 * (handshake: datagrams before the session was established, including retransmissions;
 * records: after). A process-wide meter so that a simulated fleet can report what each device
 * sent and received per exchange (the demo's comparison with Table I of the PKI paper) without
 * reaching into every client. Counting is a few integer additions per datagram.
 */
export interface DtlsTraffic {
  handshakes: number;
  handshakeSent: number;
  handshakeReceived: number;
  recordSent: number;
  recordReceived: number;
}

function empty(): DtlsTraffic {
  return { handshakes: 0, handshakeSent: 0, handshakeReceived: 0, recordSent: 0, recordReceived: 0 };
}

export class DtlsTrafficMeter {
  private readonly byPort = new Map<number, DtlsTraffic>();

  private entry(port: number): DtlsTraffic {
    let e = this.byPort.get(port);
    if (!e) { e = empty(); this.byPort.set(port, e); }
    return e;
  }

  sent(port: number, established: boolean, bytes: number): void {
    const e = this.entry(port);
    if (established) e.recordSent += bytes; else e.handshakeSent += bytes;
  }

  received(port: number, established: boolean, bytes: number): void {
    const e = this.entry(port);
    if (established) e.recordReceived += bytes; else e.handshakeReceived += bytes;
  }

  handshakeCompleted(port: number): void {
    this.entry(port).handshakes++;
  }

  /** Totals of one server port (zeros when nothing was exchanged). */
  of(port: number): DtlsTraffic {
    return { ...(this.byPort.get(port) ?? empty()) };
  }

  reset(): void {
    this.byPort.clear();
  }
}

/** The meter every DtlsClient of this process reports to. */
export const clientTraffic = new DtlsTrafficMeter();
