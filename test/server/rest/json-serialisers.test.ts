/**
 * The JSON serialisers against the exact examples of LESHAN-API.md (Leshan's Jackson
 * serializers): byte-for-byte equal strings, key order included.
 */
import { lwm2mObject, multiResource, objectInstance, resourceInstance, singleResource } from '../../../objects/node';
import { standardModels } from '../../../objects/ddf-loader';
import { javaDoubleToString, nodeToJson } from '../../../server/rest/node-json';
import { objectModelToJson } from '../../../server/rest/objectspec-json';
import { registrationToJson, registrationUpdateToJson } from '../../../server/rest/registration-json';
import { delayedToJson, responseStatus, responseToJson } from '../../../server/rest/response-json';
import { eventToJson } from '../../../server/rest/event-json';
import { registration } from './scripted-dm';

const s = (v: unknown) => JSON.stringify(v);

describe('Registration JSON (JacksonRegistrationSerializer)', () => {
  it('matches the LESHAN-API.md example exactly', () => {
    const reg = registration('myclient', {
      registrationId: 'abc', objectLinks: [{ url: '/3/0', attributes: {} }], availableInstances: { '3': [0], '1': [0] },
    });
    expect(s(registrationToJson(reg))).toBe(
      '{"endpoint":"myclient","registrationId":"abc","registrationDate":1700000000000,"lastUpdate":1700000001000,'
      + '"address":"127.0.0.1:56830","lwM2mVersion":"1.1","lifetime":300,"bindingMode":"U","rootPath":"/",'
      + '"objectLinks":[{"url":"/3/0","attributes":{}}],"secure":false,"additionalRegistrationAttributes":{},'
      + '"queuemode":false,"availableInstances":{"1":[0],"3":[0]}}',
    );
  });

  it('adds sleeping only for queue-mode clients, smsNumber after address, and keeps wire attribute values', () => {
    const reg = registration('q', {
      queuemode: true, bindingMode: 'UQ', smsNumber: '+3312345',
      objectLinks: [{ url: '/', attributes: { rt: '"oma.lwm2m"', ct: '110' } }, { url: '/1/0', attributes: { obs: null } }],
      availableInstances: { '1': [2, 0, 2] },
    });
    const json = s(registrationToJson(reg, false));
    expect(json).toContain('"address":"127.0.0.1:56830","smsNumber":"+3312345","lwM2mVersion"');
    expect(json).toContain('"objectLinks":[{"url":"/","attributes":{"rt":"\\"oma.lwm2m\\"","ct":"110"}},{"url":"/1/0","attributes":{"obs":null}}]');
    expect(json).toContain('"availableInstances":{"1":[0,2]}');
    expect(json.endsWith('"queuemode":true,"availableInstances":{"1":[0,2]},"sleeping":false}')).toBe(true);
    expect(s(registrationToJson(reg))).toContain('"sleeping":true');
    expect(s(registrationToJson(registration('n'), true))).not.toContain('sleeping');
  });

  it('writes a registration update as JacksonRegistrationUpdateSerializer', () => {
    expect(s(registrationUpdateToJson({
      registrationId: 'abc', address: '127.0.0.1:5000', lifetime: 60, secure: true, additionalAttributes: { a: 'b' },
      objectLinks: [{ url: '/3/0', attributes: {} }],
    }))).toBe('{"registrationId":"abc","address":"127.0.0.1:5000","lifetime":60,"objectLinks":[{"url":"/3/0","attributes":{}}],"secure":true,"additionalAttributes":{"a":"b"}}');
  });
});

describe('Response JSON (JacksonResponseSerializer, JacksonLwM2mNodeSerializer)', () => {
  it('single resource', () => {
    expect(s(responseToJson({ code: '2.05', content: singleResource(0, 'STRING', 'Leshan Demo Device') }))).toBe(
      '{"status":"CONTENT(205)","valid":true,"success":true,"failure":false,'
      + '"content":{"kind":"singleResource","id":0,"type":"STRING","value":"Leshan Demo Device"}}',
    );
  });

  it('multiple resource with INTEGER values as strings', () => {
    expect(s(responseToJson({ code: '2.05', content: multiResource(6, 'INTEGER', [[0, 1n], [1, 5n]]) }))).toBe(
      '{"status":"CONTENT(205)","valid":true,"success":true,"failure":false,'
      + '"content":{"kind":"multiResource","values":{"0":"1","1":"5"},"id":6,"type":"INTEGER"}}',
    );
  });

  it('object instance', () => {
    expect(s(responseToJson({ code: '2.05', content: objectInstance(0, [singleResource(0, 'STRING', '…')]) }))).toBe(
      '{"status":"CONTENT(205)","valid":true,"success":true,"failure":false,'
      + '"content":{"kind":"instance","resources":[{"kind":"singleResource","id":0,"type":"STRING","value":"…"}],"id":0}}',
    );
  });

  it('object, resource instance and root kinds', () => {
    expect(s(nodeToJson(lwm2mObject(3, [objectInstance(0, [])])))).toBe('{"instances":[{"kind":"instance","resources":[],"id":0}],"kind":"obj","id":3}');
    expect(s(nodeToJson(resourceInstance(2, 'BOOLEAN', true)))).toBe('{"kind":"resourceInstance","id":2,"type":"BOOLEAN","value":true}');
    expect(s(nodeToJson({ kind: 'root', objects: new Map([[3, lwm2mObject(3, [])]]) }))).toBe('{"kind":"root","objects":[{"instances":[],"kind":"obj","id":3}]}');
  });

  it('values by type: FLOAT string as Java writes it, OPAQUE hex, TIME ms, OBJLNK object, UNSIGNED_INTEGER string', () => {
    const v = (node: ReturnType<typeof singleResource>) => (nodeToJson(node) as { value: unknown }).value;
    expect(v(singleResource(1, 'FLOAT', 1))).toBe('1.0');
    expect(v(singleResource(1, 'FLOAT', 3.14))).toBe('3.14');
    expect(v(singleResource(1, 'OPAQUE', new Uint8Array([0x01, 0xab])))).toBe('01ab');
    expect(v(singleResource(1, 'TIME', new Date(1700000000000)))).toBe(1700000000000);
    expect(v(singleResource(1, 'OBJLNK', { objectId: 3, instanceId: 0 }))).toEqual({ objectId: 3, objectInstanceId: 0, nullLink: false });
    expect(s(v(singleResource(1, 'OBJLNK', { objectId: 65535, instanceId: 65535 })))).toBe('{"objectId":65535,"objectInstanceId":65535,"nullLink":true}');
    expect(v(singleResource(1, 'UNSIGNED_INTEGER', 18446744073709551615n))).toBe('18446744073709551615');
    expect(v(singleResource(1, 'INTEGER', -9223372036854775808n))).toBe('-9223372036854775808');
  });

  it('formats doubles as java.lang.Double.toString', () => {
    const cases: Array<[number, string]> = [
      [0, '0.0'], [-0, '-0.0'], [1, '1.0'], [-2.5, '-2.5'], [0.001, '0.001'], [0.0001, '1.0E-4'], [1234567, '1234567.0'],
      [1e7, '1.0E7'], [12345678.9, '1.23456789E7'], [1.5e-10, '1.5E-10'], [Number.MAX_VALUE, '1.7976931348623157E308'],
      [NaN, 'NaN'], [Infinity, 'Infinity'], [0.1, '0.1'], [100.25, '100.25'],
    ];
    for (const [n, text] of cases) expect([n, javaDoubleToString(n)]).toEqual([n, text]);
  });

  it('device-side error with errormessage; no errormessage on success', () => {
    expect(s(responseToJson({ code: '4.04', errorMessage: 'no such instance' }))).toBe(
      '{"status":"NOT_FOUND(404)","valid":true,"success":false,"failure":true,"errormessage":"no such instance"}',
    );
    expect(s(responseToJson({ code: '4.04' }))).toBe('{"status":"NOT_FOUND(404)","valid":true,"success":false,"failure":true}');
    expect(s(responseToJson({ code: '2.04', errorMessage: 'ignored' }))).toBe('{"status":"CHANGED(204)","valid":true,"success":true,"failure":false}');
  });

  it('Read-Composite content map, Discover objectLinks, Create location', () => {
    expect(s(responseToJson({ code: '2.05', contents: new Map([['/3/0/1', singleResource(1, 'STRING', 'm')]]) }))).toBe(
      '{"status":"CONTENT(205)","valid":true,"success":true,"failure":false,"content":{"/3/0/1":{"kind":"singleResource","id":1,"type":"STRING","value":"m"}}}',
    );
    expect(s(responseToJson({ code: '2.05', objectLinks: [{ url: '/3', attributes: {} }, { url: '/3/0/1', attributes: { pmin: '10' } }] }))).toBe(
      '{"status":"CONTENT(205)","valid":true,"success":true,"failure":false,"objectLinks":[{"url":"/3","attributes":{}},{"url":"/3/0/1","attributes":{"pmin":"10"}}]}',
    );
    expect(s(responseToJson({ code: '2.01', location: '/1/7' }))).toBe('{"status":"CREATED(201)","valid":true,"success":true,"failure":false,"location":"/1/7"}');
    expect(responseStatus('2.31')).toBe('CONTINUE(231)');
  });

  it('delayed answer and REQUEST_RESPONSE data', () => {
    expect(s(delayedToJson('q', 'uuid-1', '/3/0/1'))).toBe('{"ep":"q","path":"/3/0/1","requestId":"uuid-1","delayed":true}');
    expect(s(delayedToJson('q', 'uuid-1', undefined, { code: '2.04' }))).toBe(
      '{"ep":"q","requestId":"uuid-1","response":{"status":"CHANGED(204)","valid":true,"success":true,"failure":false},"delayed":true}',
    );
  });
});

describe('Event data (EventServlet)', () => {
  const awake = () => false;
  it('NOTIFICATION single and composite, SEND most recent, SLEEPING, UPDATED, COAPLOG', () => {
    const node = singleResource(13, 'TIME', new Date(5000));
    expect(s(eventToJson('NOTIFICATION', { ep: 'a', observationId: 'o', kind: 'single', path: '/3/0/13', node }, awake).data)).toBe(
      '{"ep":"a","kind":"single","res":"/3/0/13","val":{"kind":"singleResource","id":13,"type":"TIME","value":5000}}',
    );
    expect(s(eventToJson('NOTIFICATION', {
      ep: 'a', observationId: 'o', kind: 'composite', paths: ['/3/0/13'], nodes: new Map([['/3/0/13', node]]),
    }, awake).data)).toBe('{"ep":"a","kind":"composite","val":{"/3/0/13":{"kind":"singleResource","id":13,"type":"TIME","value":5000}},"paths":["/3/0/13"]}');
    const send = eventToJson('SEND', {
      ep: 'a',
      nodes: new Map([['/3/0/9', [
        { timestamp: new Date(2000), node: singleResource(9, 'INTEGER', 80n) },
        { timestamp: new Date(1000), node: singleResource(9, 'INTEGER', 90n) },
      ]]]),
    }, awake);
    expect(s(send.data)).toBe('{"ep":"a","val":{"/3/0/9":{"kind":"singleResource","id":9,"type":"INTEGER","value":"80"}}}');
    expect(s(eventToJson('SLEEPING', { ep: 'z' }, awake))).toBe('{"ep":"z","data":{"ep":"z"}}');
    const reg = registration('u', { queuemode: true });
    expect(s(eventToJson('UPDATED', {
      registration: reg, update: { registrationId: 'reg-u', address: '127.0.0.1:1', lifetime: 30, secure: false, additionalAttributes: {} },
    }, awake).data)).toMatch(/^\{"registration":\{"endpoint":"u".*"sleeping":false\},"update":\{"registrationId":"reg-u","address":"127.0.0.1:1","lifetime":30,"secure":false,"additionalAttributes":\{\}\}\}$/);
    expect(s(eventToJson('COAPLOG', {
      timestamp: 1, incoming: true, type: 'CON', code: 'GET', mId: 7, token: 'ab', options: 'Uri-Path: "rd"', ep: 'a',
    }, awake).data)).toBe('{"timestamp":1,"incoming":true,"type":"CON","code":"GET","mId":7,"token":"ab","options":"Uri-Path: \\"rd\\"","ep":"a"}');
  });
});

describe('Object specs (ObjectModelSerDes)', () => {
  it('writes the Device object as Leshan does', () => {
    const device = objectModelToJson(standardModels().getObject(3)!) as Record<string, unknown>;
    expect(Object.keys(device)).toEqual(['id', 'name', 'instancetype', 'mandatory', 'urn', 'version', 'lwm2mversion', 'description', 'resourcedefs']);
    expect(device.id).toBe(3);
    expect(device.instancetype).toBe('single');
    const defs = device.resourcedefs as Array<Record<string, unknown>>;
    const reboot = defs.find((d) => d.id === 4)!;
    expect(Object.keys(reboot)).toEqual(['id', 'name', 'operations', 'instancetype', 'mandatory', 'type', 'range', 'units', 'description']);
    expect(reboot.operations).toBe('E');
    expect(reboot.type).toBe('none');
    expect(defs.find((d) => d.id === 6)!.instancetype).toBe('multiple');
  });
});
