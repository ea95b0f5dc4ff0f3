import { LwM2mPath } from '../../objects/path';
import { Harness } from './harness';
import { decodeTlv } from '../../objects/codecs/tlv-wire';

describe('dbg', () => {
  const h = new Harness();
  afterAll(() => h.close());
  it('x', async () => {
    const s = await h.server();
    const logs: unknown[] = [];
    s.events.on('COAPLOG', (e) => logs.push(e));
    await h.client(s, { endpoint: 'smoke-1' });
    await s.send('smoke-1', { kind: 'read', path: LwM2mPath.parse('/3/0') }).catch((e) => console.log(e.message));
    console.log(JSON.stringify(logs, null, 1));
  });
});
