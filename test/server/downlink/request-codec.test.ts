import { ContentFormat } from '../../../objects/content-format';
import { standardModels } from '../../../objects/ddf-loader';
import { objectInstance, singleResource } from '../../../objects/node';
import { LwM2mPath } from '../../../objects/path';
import { decodeResponse, encodeRequest } from '../../../server/downlink/request-codec';
import { InvalidRequestError } from '../../../server/errors/invalid-request-error';

const models = standardModels();
const v11 = { lwM2mVersion: '1.1', supportedContentFormats: [0, 42, 11542, 110, 112] };
const v10 = { lwM2mVersion: '1.0' };
const P = (s: string) => LwM2mPath.parse(s);

describe('downlink requests as CoAP (Transport §6.4)', () => {
  it('maps each operation to its method, path and options', () => {
    expect(encodeRequest({ kind: 'read', path: P('/3/0') }, v11, '/', models)).toEqual({ method: 'GET', path: ['3', '0'], accept: 112 });
    expect(encodeRequest({ kind: 'read', path: P('/3/0') }, v10, '/lwm2m/', models)).toEqual({ method: 'GET', path: ['lwm2m', '3', '0'], accept: 11542 });
    expect(encodeRequest({ kind: 'discover', path: P('/3') }, v11, '/', models)).toMatchObject({ method: 'GET', accept: 40 });
    expect(encodeRequest({ kind: 'writeAttributes', path: P('/3/0/9'), attributes: { pmin: '5', gt: null } }, v11, '/', models)).toEqual({ method: 'PUT', path: ['3', '0', '9'], query: ['pmin=5', 'gt'] });
    expect(encodeRequest({ kind: 'execute', path: P('/3/0/4'), args: "0='x'" }, v11, '/', models)).toMatchObject({ method: 'POST', contentFormat: 0 });
    expect(encodeRequest({ kind: 'delete', path: P('/5/0') }, v11, '/', models)).toEqual({ method: 'DELETE', path: ['5', '0'] });
    const w = encodeRequest({ kind: 'write', path: P('/3/0'), node: objectInstance(0, [singleResource(14, 'STRING', '+01')]), mode: 'update' }, v11, '/', models);
    expect(w).toMatchObject({ method: 'POST', contentFormat: 112 });
    expect(encodeRequest({ kind: 'observe', path: P('/3/0/9') }, v11, '/', models)).toMatchObject({ method: 'GET', observe: 0 });
    expect(encodeRequest({ kind: 'readComposite', paths: [P('/3/0/9')] }, v11, '/', models)).toMatchObject({ method: 'FETCH', path: [], contentFormat: 112, accept: 112 });
    expect(encodeRequest({ kind: 'bootstrapFinish' }, v10, '/', models)).toEqual({ method: 'POST', path: ['bs'] });
  });

  it('refuses invalid requests before sending', () => {
    const bad = [
      () => encodeRequest({ kind: 'read', path: P('/3/0'), format: ContentFormat.SENML_CBOR }, v10, '/', models),
      () => encodeRequest({ kind: 'read', path: P('/3/0'), format: ContentFormat.LWM2M_CBOR }, v11, '/', models),
      () => encodeRequest({ kind: 'writeAttributes', path: P('/3/0/9'), attributes: { bogus: '1' } }, v11, '/', models),
      () => encodeRequest({ kind: 'writeAttributes', path: P('/3/0/9'), attributes: { pmin: 'soon' } }, v11, '/', models),
      () => encodeRequest({ kind: 'execute', path: P('/3/0') }, v11, '/', models),
      () => encodeRequest({ kind: 'create', path: P('/3/0'), instances: [] }, v11, '/', models),
      () => encodeRequest({ kind: 'delete', path: P('/3') }, v11, '/', models),
      () => encodeRequest({ kind: 'write', path: P('/3/0/0'), node: singleResource(1, 'STRING', 'x'), mode: 'replace' }, v11, '/', models),
      () => encodeRequest({ kind: 'readComposite', paths: [P('/3/0/0')] }, v10, '/', models),
    ];
    for (const f of bad) expect(f).toThrow(InvalidRequestError);
  });

  it('decodes answers: content, links, location, errors', () => {
    const payload = Buffer.from('Handover');
    expect(decodeResponse({ kind: 'read', path: P('/3/0/0') }, { code: '2.05', contentFormat: 0, payload, locationPath: [] }, models))
      .toEqual({ code: '2.05', content: singleResource(0, 'STRING', 'Handover') });
    expect(decodeResponse({ kind: 'discover', path: P('/3') }, { code: '2.05', contentFormat: 40, payload: Buffer.from('</3/0>'), locationPath: [] }, models).objectLinks)
      .toEqual([{ url: '/3/0', attributes: {} }]);
    expect(decodeResponse({ kind: 'create', path: P('/5'), instances: [] }, { code: '2.01', payload: Buffer.alloc(0), locationPath: ['5', '1'] }, models).location).toBe('/5/1');
    expect(decodeResponse({ kind: 'read', path: P('/3/0') }, { code: '4.04', payload: Buffer.from('nope'), locationPath: [] }, models)).toEqual({ code: '4.04', errorMessage: 'nope' });
    expect(() => decodeResponse({ kind: 'read', path: P('/3/0') }, { code: '2.05', contentFormat: 11542, payload: Buffer.of(0xff), locationPath: [] }, models)).toThrow(/Invalid response payload/);
  });
});
