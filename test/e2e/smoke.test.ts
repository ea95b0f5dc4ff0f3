import { LwM2mPath } from '../../objects/path';
import { Harness } from './harness';

describe('smoke', () => {
  const h = new Harness();
  afterAll(() => h.close());
  it('registers and reads', async () => {
    const s = await h.server();
    await h.client(s, { endpoint: 'smoke-1' });
    const reg = await s.registrations.get('smoke-1');
    expect(reg?.lwM2mVersion).toBe('1.1');
    const res = await s.send('smoke-1', { kind: 'read', path: LwM2mPath.parse('/3/0') });
    console.log(JSON.stringify(reg), res);
    expect(res).toMatchObject({ code: '2.05' });
  });
});
