import * as dgram from 'node:dgram';
import { GatedSocket } from '../../client-sim/gated-socket';
import { bindUdpSocket } from '../../client-sim/datagram-socket';

/** A CoAP header: version 1, type, token length 0, code, message id. */
function header(type: number, code: number, mid: number): Buffer {
  return Buffer.from([0x40 | (type << 4), code, mid >> 8, mid & 0xff]);
}

describe('GatedSocket', () => {
  let inner: dgram.Socket;
  let peer: dgram.Socket;
  let gate: GatedSocket;

  beforeEach(async () => {
    inner = await bindUdpSocket('127.0.0.1');
    peer = await bindUdpSocket('127.0.0.1');
    gate = new GatedSocket(inner);
  });
  afterEach(async () => {
    await new Promise<void>((r) => gate.close(() => r()));
    await new Promise<void>((r) => peer.close(() => r()));
  });

  const fromPeer = (buf: Buffer) => new Promise<void>((r) => peer.send(buf, inner.address().port, '127.0.0.1', () => r()));
  const nextAtPeer = () => new Promise<Buffer>((r) => peer.once('message', (m) => r(m)));

  it('answers a retransmitted CON request from memory instead of delivering it twice', async () => {
    const delivered: Buffer[] = [];
    gate.on('message', (m: Buffer, rinfo: dgram.RemoteInfo) => {
      delivered.push(m);
      gate.send(header(2, 0x44, m.readUInt16BE(2)), rinfo.port, rinfo.address); // ACK 2.04, piggybacked
    });
    const first = nextAtPeer();
    await fromPeer(header(0, 0x02, 77));
    expect((await first)[1]).toBe(0x44);
    const again = nextAtPeer();
    await fromPeer(header(0, 0x02, 77));
    expect((await again)[1]).toBe(0x44);
    expect(delivered).toHaveLength(1);
  });

  it('drops everything while asleep', async () => {
    const delivered: Buffer[] = [];
    gate.on('message', (m: Buffer) => delivered.push(m));
    gate.sleep();
    await fromPeer(header(0, 0x01, 1));
    await new Promise((r) => setTimeout(r, 50));
    expect(delivered).toHaveLength(0);
    gate.wake();
    const got = new Promise((r) => gate.once('message', r));
    await fromPeer(header(0, 0x01, 2));
    await got;
    expect(delivered).toHaveLength(1);
  });

  it('accepts node-coap\'s 6-argument send', async () => {
    const got = nextAtPeer();
    const buf = Buffer.concat([Buffer.from('xx'), header(1, 0x45, 9)]);
    gate.send(buf, 2, 4, peer.address().port, '127.0.0.1', () => undefined);
    expect((await got).equals(header(1, 0x45, 9))).toBe(true);
  });
});
