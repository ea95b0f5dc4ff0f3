import { CoapRequestError } from '../../../server/errors/coap-request-error';
import { parseObjectLinks, parseQuery, parseRegister, parseUpdate } from '../../../server/registration/registration-request';

const links = Buffer.from('</>;rt="oma.lwm2m";ct="60 112 11542",</1/0>,</3/0>,</5>,</42770/1>,</42770/3>');

describe('Register / Update parameters (LwM2M 1.1 Transport §6.2)', () => {
  it('reads every parameter and the object links', () => {
    const p = parseRegister(parseQuery(['ep=dev%201', 'lt=120', 'lwm2m=1.1', 'b=U', 'Q', 'sms=+46', 'x=y']), 40, links);
    expect(p).toMatchObject({ endpoint: 'dev 1', lifetime: 120, lwM2mVersion: '1.1', bindingMode: 'U', queuemode: true, smsNumber: '+46', additionalAttributes: { x: 'y' } });
    expect(p.links).toMatchObject({ rootPath: '/', supportedContentFormats: [60, 112, 11542], availableInstances: { 1: [0], 3: [0], 5: [], 42770: [1, 3] } });
  });

  it('defaults: lifetime 86400, version 1.0, binding U; 1.0 queue mode is "UQ"', () => {
    expect(parseRegister(parseQuery(['ep=a']), undefined, links)).toMatchObject({ lifetime: 86400, lwM2mVersion: '1.0', bindingMode: 'U', queuemode: false });
    expect(parseRegister(parseQuery(['ep=a', 'b=UQ']), 40, links)).toMatchObject({ bindingMode: 'U', queuemode: true });
  });

  it.each([
    [['lt=5'], '4.00'], [['ep=a', 'lt=-1'], '4.00'], [['ep=a', 'lt=99999999999'], '4.00'], [['ep=a', 'lwm2m=1.3'], '4.12'],
    [['ep=a', 'b=Z'], '4.00'], [['ep=a', 'Q=1', 'lwm2m=1.1'], '4.00'], [['ep'], '4.00'], [['ep=a\u0001'], '4.00'],
  ])('refuses %j with %s', (q, code) => {
    let err: unknown;
    try { parseRegister(parseQuery(q), 40, links); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(CoapRequestError);
    expect((err as CoapRequestError).coapCode).toBe(code);
  });

  it('reads a root path and refuses links outside the model', () => {
    expect(parseObjectLinks(40, Buffer.from('</lw>;rt="oma.lwm2m",</lw/3/0>')).availableInstances).toEqual({ 3: [0] });
    expect(() => parseObjectLinks(40, Buffer.from('</3/0/1/2/3>'))).toThrow(CoapRequestError);
    expect(() => parseObjectLinks(40, Buffer.from('</>;rt="oma.lwm2m";ct="x"'))).toThrow(CoapRequestError);
  });

  it('parses Update: only lt, b, sms, Q; links optional', () => {
    expect(parseUpdate(parseQuery(['lt=30']), undefined, Buffer.alloc(0), '1.1')).toEqual({ lifetime: 30, bindingMode: undefined, queuemode: undefined, smsNumber: undefined, links: undefined });
    expect(parseUpdate(parseQuery(['b=U']), undefined, Buffer.alloc(0), '1.0').queuemode).toBe(false);
    expect(() => parseUpdate(parseQuery(['lwm2m=1.1']), undefined, Buffer.alloc(0), '1.1')).toThrow(CoapRequestError);
  });
});
