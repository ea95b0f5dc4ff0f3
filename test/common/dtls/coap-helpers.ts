/** Small CoAP helpers for the DTLS tests: a GET through a given Agent, and free UDP ports. */
import dgram from 'node:dgram';
import * as coap from 'coap';
import type { DtlsClient } from '../../../common/dtls/client';

/** A coap Agent whose socket is our DtlsClient. */
export function agentOver(client: DtlsClient): coap.Agent {
  return new coap.Agent({ socket: client as unknown as dgram.Socket });
}

export function coapGet(agent: coap.Agent, port: number, pathname: string, host = '127.0.0.1'): Promise<{ code: string; payload: string }> {
  return new Promise((resolve, reject) => {
    const req = coap.request({ hostname: host, port, pathname, agent, method: 'GET', retrySend: 1 });
    req.on('response', (res: coap.IncomingMessage) => resolve({ code: res.code, payload: res.payload.toString() }));
    req.on('error', reject);
    req.on('timeout', reject);
    req.end();
  });
}

async function udpFree(port: number): Promise<boolean> {
  const s = dgram.createSocket('udp4');
  return new Promise((resolve) => {
    s.once('error', () => resolve(false));
    s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A port p with p and p+1 free on 127.0.0.1 (coap-server listens on p, DTLS on p+1). */
export async function freePortPair(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const p = 20000 + Math.floor(Math.random() * 40000);
    if ((await udpFree(p)) && (await udpFree(p + 1))) return p;
  }
  throw new Error('no free UDP port pair');
}
