/**
 * The server's CoAP endpoints by name: "coap" (its own UDP socket, NoSec) and the secure
 * endpoints it was given. Each has a CoapEndpoint with a node-coap Server (uplink) and Agent
 * (downlink) on it. A registration records the endpoint name, so a downlink request leaves
 * through the socket (and, for DTLS, the session) the client talks to.
 */
import * as dgram from 'node:dgram';
import * as coap from 'coap';
import { CoapEndpoint, type CoapEndpointHooks } from './coap-endpoint';
import type { DatagramSocketLike, PeerAddress, SecureEndpoint } from './secure-endpoint';

/** How long node-coap waits before a separate (non-piggybacked) answer, ms. */
const PIGGYBACK_MS = 500;
export const PLAIN_ENDPOINT = 'coap';

export type UplinkListener = (req: coap.IncomingMessage, res: coap.OutgoingMessage, endpoint: CoapEndpoint) => void;

interface Transport {
  readonly endpoint: CoapEndpoint;
  readonly agent: coap.Agent;
  readonly server: coap.Server;
}

export class Transports {
  private readonly byName = new Map<string, Transport>();
  private plainSocket?: dgram.Socket;

  constructor(private readonly hooks: CoapEndpointHooks, private readonly onRequest: UplinkListener) {}

  /** Bind the plain UDP socket. */
  async bindPlain(host: string, port: number): Promise<number> {
    const sock = dgram.createSocket({ type: host.includes(':') ? 'udp6' : 'udp4' });
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(port, host, () => { sock.off('error', reject); resolve(); });
    });
    this.plainSocket = sock;
    this.add(PLAIN_ENDPOINT, sock, false, () => undefined);
    return sock.address().port;
  }

  addSecure(se: SecureEndpoint, index: number): string {
    const name = se.name ?? (index === 0 ? 'coaps' : `coaps-${index}`);
    if (this.byName.has(name)) throw new Error(`Duplicate endpoint name ${name}`);
    this.add(name, se.socket, true, (r: PeerAddress) => se.identityOf(r));
    return name;
  }

  get(name: string | undefined): Transport | undefined {
    return this.byName.get(name ?? PLAIN_ENDPOINT);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  async close(): Promise<void> {
    for (const t of this.byName.values()) {
      t.server.close();
      t.agent.close();
      t.endpoint.detach();
    }
    this.byName.clear();
    const sock = this.plainSocket;
    this.plainSocket = undefined;
    if (sock) await new Promise<void>((resolve) => sock.close(() => resolve()));
  }

  private add(name: string, socket: DatagramSocketLike, secure: boolean, identity: CoapEndpoint['identityOf']): void {
    const endpoint = new CoapEndpoint(name, socket, secure, identity, this.hooks);
    const server = coap.createServer({ piggybackReplyMs: PIGGYBACK_MS });
    server.on('request', (req: coap.IncomingMessage, res: coap.OutgoingMessage) => this.onRequest(req, res, endpoint));
    server.on('error', () => undefined);
    server.listen(endpoint.serverFace as never);
    const agent = new coap.Agent({ socket: endpoint.agentFace as never });
    agent.on('error', () => undefined);
    this.byName.set(name, { endpoint, agent, server });
  }
}
