/** Queue mode between the server and a client-sim client that sleeps (radio off) and wakes. */
import { singleResource } from '../../objects/node';
import { LwM2mPath } from '../../objects/path';
import type { ServerEvents } from '../../server/events';
import { Harness, nextEvent } from './harness';
import { MODELS, TEST_OBJECT_ID, testObject } from './test-object';

const O = `/${TEST_OBJECT_ID}`;

describe('queue mode', () => {
  const h = new Harness();
  afterAll(() => h.close());

  it('queues requests while the client sleeps and delivers them in order at its next update', async () => {
    const s = await h.server({ models: MODELS, queueAwakeMs: 400 });
    const awake = nextEvent(s, 'AWAKE', (e) => e.ep === 'q-1');
    const client = await h.client(s, { endpoint: 'q-1', queueMode: true, models: MODELS, objects: [testObject()] });
    await awake;
    const reg = await s.registrations.get('q-1');
    expect(reg?.queuemode).toBe(true);
    // Awake right after registering: requests go straight through.
    expect(await s.send('q-1', { kind: 'read', path: LwM2mPath.parse(`${O}/0/0`) })).toMatchObject({ code: '2.05' });
    await nextEvent(s, 'SLEEPING', (e) => e.ep === 'q-1', 2000);
    client.sleep();

    const responses: Array<ServerEvents['REQUEST_RESPONSE']> = [];
    s.events.on('REQUEST_RESPONSE', (e) => responses.push(e));
    const w = await s.send('q-1', { kind: 'write', path: LwM2mPath.parse(`${O}/0/0`), node: singleResource(0, 'STRING', 'queued'), mode: 'replace' });
    const r = await s.send('q-1', { kind: 'read', path: LwM2mPath.parse(`${O}/0/0`) });
    expect(w).toMatchObject({ delayed: true, ep: 'q-1', requestId: expect.any(String) });
    expect(r).toMatchObject({ delayed: true, ep: 'q-1' });
    const wId = (w as { requestId: string }).requestId;
    const rId = (r as { requestId: string }).requestId;
    await new Promise((res) => setTimeout(res, 200));
    expect(responses).toHaveLength(0);

    const second = nextEvent(s, 'REQUEST_RESPONSE', (e) => e.requestId === rId);
    await client.wake();
    await second;
    expect(responses.map((e) => e.requestId)).toEqual([wId, rId]);
    expect(responses[0]).toMatchObject({ ep: 'q-1', path: `${O}/0/0`, response: { code: '2.04' } });
    expect(responses[1].response).toMatchObject({ code: '2.05', content: singleResource(0, 'STRING', 'queued') });
  });
});
