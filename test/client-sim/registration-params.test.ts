import { bootstrapQuery, registerQuery, updateDelaySeconds, updateQuery } from '../../client-sim/registration-params';

const base = { endpoint: 'dev 1', lifetime: 300, version: '1.1' as const, binding: 'U', queueMode: false };

describe('registration parameters', () => {
  it('builds Register queries per version', () => {
    expect(registerQuery(base)).toEqual(['ep=dev%201', 'lt=300', 'lwm2m=1.1', 'b=U']);
    expect(registerQuery({ ...base, queueMode: true })).toEqual(['ep=dev%201', 'lt=300', 'lwm2m=1.1', 'b=U', 'Q']);
    expect(registerQuery({ ...base, version: '1.0', queueMode: true })).toEqual(['ep=dev%201', 'lt=300', 'lwm2m=1.0', 'b=UQ']);
  });

  it('sends in an Update only what changed', () => {
    expect(updateQuery(base, base)).toEqual([]);
    expect(updateQuery(base, { ...base, lifetime: 60 })).toEqual(['lt=60']);
  });

  it('asks for the preferred format in a 1.1 Bootstrap-Request', () => {
    expect(bootstrapQuery('a', '1.1', 112)).toEqual(['ep=a', 'pct=112']);
    expect(bootstrapQuery('a', '1.0', 112)).toEqual(['ep=a']);
  });

  it('updates before the lifetime ends', () => {
    expect(updateDelaySeconds(300)).toBe(270);
    expect(updateDelaySeconds(86400)).toBe(86340);
    expect(updateDelaySeconds(5)).toBe(4);
    expect(updateDelaySeconds(1)).toBe(0.5);
    expect(updateDelaySeconds(100, 30)).toBe(70);
  });
});
