/**
 * The update server's wire meter: a block-wise download over real UDP is counted in both
 * directions (datagrams and bytes, CoAP headers included), and resetTraffic starts again at zero.
 */
import { randomBytes } from 'node:crypto';
import { fetchCoap } from '../../../common/coap/fetch';
import { SuitUpdateServer } from '../../../plugin/update-server/update-server';

describe('SuitUpdateServer traffic', () => {
  let server: SuitUpdateServer;
  beforeAll(async () => { server = await new SuitUpdateServer().start(); });
  afterAll(async () => { await server.close(); });

  it('counts what a device exchanged with it', async () => {
    expect(server.traffic()).toEqual({ datagramsReceived: 0, bytesReceived: 0, datagramsSent: 0, bytesSent: 0 });
    const image = new Uint8Array(randomBytes(3000));
    const uri = server.publish('/fw/image.bin', image);
    const body = await fetchCoap(uri, { blockSize: 1024, timeoutMs: 5000 });
    expect(Buffer.from(body).equals(Buffer.from(image))).toBe(true);
    const t = server.traffic();
    expect(t.datagramsReceived).toBe(3); // three Block2 requests
    expect(t.datagramsSent).toBe(3);
    expect(t.bytesSent).toBeGreaterThan(3000);
    expect(t.bytesSent).toBeLessThan(3000 + 3 * 40);
    expect(t.bytesReceived).toBeGreaterThan(3 * 10);
    server.resetTraffic();
    expect(server.traffic().bytesSent).toBe(0);
  });

  it('counts each server on its own socket', async () => {
    const again = await new SuitUpdateServer().start();
    try {
      const uri = again.publish('/x.bin', Uint8Array.of(1, 2, 3));
      expect(Array.from(await fetchCoap(uri, { timeoutMs: 5000 }))).toEqual([1, 2, 3]);
      expect(again.traffic().datagramsReceived).toBe(1);
    } finally {
      await again.close();
    }
  });
});
