/** StopStack (common/stop-stack.ts): last started, first stopped; failures logged, the rest still run. */
import { StopStack } from '../../common/stop-stack';

describe('StopStack', () => {
  it('stops in reverse order, logs a failing stop and goes on, and runs each stop once', async () => {
    const order: string[] = [];
    const logged: string[] = [];
    const stack = new StopStack((l) => logged.push(l));
    stack.push(() => { order.push('redis'); });
    stack.push(async () => { order.push('server'); throw new Error('port busy'); });
    stack.push(async () => { await new Promise((r) => setTimeout(r, 10)); order.push('api'); });
    await Promise.all([stack.stop(), stack.stop()]);
    await stack.stop();
    expect(order).toEqual(['api', 'server', 'redis']);
    expect(logged).toEqual(['stop: port busy']);
  });
});
