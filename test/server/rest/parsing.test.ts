/**
 * Pure request parsing: client routes, query parameters, JSON → node bodies typed by the
 * client's models, security-info bodies.
 */
import { generateKeyPairSync } from 'node:crypto';
import { isHandoverError } from '../../../common/errors';
import { standardModels } from '../../../objects/ddf-loader';
import { StaticModelProvider } from '../../../objects/model';
import type { MultiResource, ObjectInstance, SingleResource } from '../../../objects/node';
import { LwM2mPath } from '../../../objects/path';
import { parseClientRoute } from '../../../server/rest/client-route';
import { parseCompositeNodes, parseCreateInstance, parseTextWrite, parseWriteNode } from '../../../server/rest/node-parser';
import { attributesParam, formatParam, pathsParam, replaceParam, timeoutParam } from '../../../server/rest/query-params';
import { parseSecurityInfo, securityInfoToJson } from '../../../server/rest/security-json';

const models = standardModels();
const P = (p: string) => LwM2mPath.parse(p);
const invalid = (f: () => unknown, message: RegExp) => {
  let caught: unknown;
  try { f(); } catch (e) { caught = e; }
  expect(isHandoverError(caught, 'ERR_INVALID_INPUT')).toBe(true);
  expect((caught as Error).message).toMatch(message);
};

describe('parseClientRoute (ClientServlet dispatch)', () => {
  const r = (method: string, path: string) => {
    const route = parseClientRoute(method, path.split('/').filter(Boolean));
    return route && ('path' in route ? { ...route, path: route.path.toString() } : route);
  };
  it.each([
    ['GET', '', { op: 'list' }],
    ['GET', 'dev', { op: 'get', ep: 'dev' }],
    ['GET', 'dev/3/0/1', { op: 'read', ep: 'dev', path: '/3/0/1' }],
    ['GET', 'dev/3', { op: 'read', ep: 'dev', path: '/3' }],
    ['GET', 'dev/3/0/discover', { op: 'discover', ep: 'dev', path: '/3/0' }],
    ['GET', 'dev/composite', { op: 'readComposite', ep: 'dev' }],
    ['PUT', 'dev/3/0/14', { op: 'write', ep: 'dev', path: '/3/0/14' }],
    ['PUT', 'dev/3/0/14/attributes', { op: 'writeAttributes', ep: 'dev', path: '/3/0/14' }],
    ['PUT', 'dev/composite', { op: 'writeComposite', ep: 'dev' }],
    ['POST', 'dev/3/0/4', { op: 'execute', ep: 'dev', path: '/3/0/4' }],
    ['POST', 'dev/1', { op: 'create', ep: 'dev', path: '/1' }],
    ['POST', 'dev/1/3', { op: 'create', ep: 'dev', path: '/1/3' }],
    ['POST', 'dev/3/0/13/observe', { op: 'observe', ep: 'dev', path: '/3/0/13' }],
    ['POST', 'dev/composite/observe', { op: 'observeComposite', ep: 'dev' }],
    ['DELETE', 'dev/3/0/13/observe', { op: 'cancelObserve', ep: 'dev', path: '/3/0/13' }],
    ['DELETE', 'dev/composite/observe', { op: 'cancelObserveComposite', ep: 'dev' }],
    ['DELETE', 'dev/1/3', { op: 'delete', ep: 'dev', path: '/1/3' }],
  ])('%s %s', (method, path, expected) => {
    expect(r(method, path)).toEqual(expected);
  });
  it.each([
    ['GET', 'dev/x'], ['GET', 'dev/3/0/1/2/3'], ['GET', 'dev/65535'], ['PUT', 'dev/3'], ['PUT', 'dev'], ['POST', 'dev'],
    ['POST', 'dev/3/0/1/2'], ['DELETE', 'dev/3'], ['DELETE', 'dev/3/0/1'], ['PATCH', 'dev/3/0'], ['POST', ''], ['GET', 'dev/composite/x'],
  ])('%s %s is an invalid path', (method, path) => {
    expect(r(method, path)).toBeUndefined();
  });
});

describe('query parameters', () => {
  const q = (s: string) => new URLSearchParams(s);
  it('format names, case-insensitive; unknown refused', () => {
    expect(formatParam(q('format=tlv'), 'format')).toBe(11542);
    expect(formatParam(q('format=SENML_CBOR'), 'format')).toBe(112);
    expect(formatParam(q('format=CBOR'), 'format')).toBe(11544);
    expect(formatParam(q(''), 'format')).toBeUndefined();
    invalid(() => formatParam(q('format=XML'), 'format'), /Unknown format "XML"/);
  });
  it('timeout in seconds, default 5', () => {
    expect(timeoutParam(q(''))).toBe(5000);
    expect(timeoutParam(q('timeout=30'))).toBe(30000);
    invalid(() => timeoutParam(q('timeout=abc')), /timeout/);
    invalid(() => timeoutParam(q('timeout=0')), /timeout/);
    invalid(() => timeoutParam(q('timeout=100000')), /timeout/);
  });
  it('replace and paths', () => {
    expect(replaceParam(q(''))).toBe(true);
    expect(replaceParam(q('replace=false'))).toBe(false);
    invalid(() => replaceParam(q('replace=maybe')), /replace/);
    expect(pathsParam(q('paths=/3/0/1,/3/0/2')).map(String)).toEqual(['/3/0/1', '/3/0/2']);
    invalid(() => pathsParam(q('')), /paths parameter is required/);
    invalid(() => pathsParam(q('paths=/3/x')), /Invalid path/);
  });
  it('Write-Attributes from the raw query', () => {
    expect(attributesParam('pmin=10&pmax=60&gt=20.5&lt&timeout=3')).toEqual({ pmin: '10', pmax: '60', gt: '20.5', lt: null });
    invalid(() => attributesParam('pmin=-1'), /Invalid value "-1" for attribute pmin/);
    invalid(() => attributesParam('foo=1'), /Unknown attribute "foo"/);
    invalid(() => attributesParam('pmin=1&pmin=2'), /given twice/);
    invalid(() => attributesParam('timeout=3'), /No attribute/);
    invalid(() => attributesParam('edge=2'), /edge/);
  });
});

describe('JSON → node (JacksonLwM2mNodeDeserializer, typed by the models)', () => {
  it('single resource typed by the model, INTEGER as string or number', () => {
    expect(parseWriteNode({ id: 14, kind: 'singleResource', value: '+02' }, P('/3/0/14'), models))
      .toEqual({ kind: 'singleResource', id: 14, type: 'STRING', value: '+02' });
    expect(parseWriteNode({ id: 13, value: 1700000000000 }, P('/3/0/13'), models))
      .toEqual({ kind: 'singleResource', id: 13, type: 'TIME', value: new Date(1700000000000) });
    const lifetime = parseWriteNode({ id: 1, type: 'INTEGER', value: '300' }, P('/1/0/1'), models) as SingleResource;
    expect(lifetime.type).toBe(models.getResource(1, 1)!.type);
    expect(lifetime.value).toBe(300n);
  });
  it('refuses a type that contradicts the model, a wrong JSON type, a bad value', () => {
    invalid(() => parseWriteNode({ id: 14, type: 'INTEGER', value: '1' }, P('/3/0/14'), models), /is of type STRING, not INTEGER/);
    invalid(() => parseWriteNode({ id: 14, value: 5 }, P('/3/0/14'), models), /a JSON string is expected for STRING/);
    invalid(() => parseWriteNode({ id: 13, value: '12' }, P('/3/0/13'), models), /number \(epoch milliseconds\)/);
    invalid(() => parseWriteNode({ id: 14, value: 'x' }, P('/3/0/15'), models), /does not match path/);
    invalid(() => parseWriteNode('hello', P('/3/0/14'), models), /Invalid resource element/);
    invalid(() => parseWriteNode({ id: 0, value: 'x' }, P('/3/0'), models), /Expected an object instance, got singleResource/);
  });
  it('a resource unknown to the models needs its type; OPAQUE hex, FLOAT, OBJLNK, BOOLEAN', () => {
    invalid(() => parseWriteNode({ id: 0, value: 'x' }, P('/4242/0/0'), models), /give its "type"/);
    const custom = new StaticModelProvider([]);
    expect(parseWriteNode({ id: 0, type: 'opaque', value: '00ff' }, P('/4242/0/0'), custom))
      .toEqual({ kind: 'singleResource', id: 0, type: 'OPAQUE', value: new Uint8Array([0, 255]) });
    invalid(() => parseWriteNode({ id: 0, type: 'OPAQUE', value: '0g' }, P('/4242/0/0'), custom), /Invalid hex/);
    expect((parseWriteNode({ id: 0, type: 'FLOAT', value: '2.5' }, P('/4242/0/0'), custom) as SingleResource).value).toBe(2.5);
    expect((parseWriteNode({ id: 0, type: 'OBJLNK', value: { objectId: 3, objectInstanceId: 0 } }, P('/4242/0/0'), custom) as SingleResource).value)
      .toEqual({ objectId: 3, instanceId: 0 });
    expect((parseWriteNode({ id: 0, type: 'BOOLEAN', value: true }, P('/4242/0/0'), custom) as SingleResource).value).toBe(true);
    invalid(() => parseWriteNode({ id: 0, type: 'INTEGER', value: '9223372036854775808' }, P('/4242/0/0'), custom), /out of range/);
    invalid(() => parseWriteNode({ id: 0, type: 'INTEGER', value: 1.5 }, P('/4242/0/0'), custom), /Invalid INTEGER/);
  });
  it('instance with a multiple resource, and a resource instance', () => {
    const inst = parseWriteNode({
      kind: 'instance', id: 0, resources: [
        { kind: 'singleResource', id: 14, value: '+01' },
        { kind: 'multiResource', id: 7, values: { 0: '3800', 1: 5000 } },
      ],
    }, P('/3/0'), models) as ObjectInstance;
    expect(inst.id).toBe(0);
    const mr = inst.resources.get(7) as MultiResource;
    expect(mr.type).toBe('INTEGER');
    expect([...mr.values]).toEqual([[0, 3800n], [1, 5000n]]);
    expect(parseWriteNode({ kind: 'resourceInstance', id: 1, value: '12' }, P('/3/0/7/1'), models))
      .toEqual({ kind: 'resourceInstance', id: 1, type: 'INTEGER', value: 12n });
    invalid(() => parseWriteNode({ kind: 'instance', id: 0, resources: [{ id: 14, value: 'a' }, { id: 14, value: 'b' }] }, P('/3/0'), models), /appears twice/);
  });
  it('text/plain is typed by the model', () => {
    expect(parseTextWrite('+02', P('/3/0/14'), models)).toEqual({ kind: 'singleResource', id: 14, type: 'STRING', value: '+02' });
    expect(parseTextWrite('120', P('/1/0/1'), models)).toMatchObject({ kind: 'singleResource', id: 1, value: 120n });
    invalid(() => parseTextWrite('abc', P('/1/0/1'), models), /Invalid/);
  });
  it('Create takes an instance with its id from the path or the body', () => {
    const body = { resources: [{ id: 0, value: 1 }, { id: 1, value: '60' }, { id: 6, value: false }, { id: 7, value: 'U' }] };
    expect(parseCreateInstance(body, P('/1/4'), models).id).toBe(4);
    expect(parseCreateInstance({ ...body, id: 5 }, P('/1'), models).id).toBe(5);
    invalid(() => parseCreateInstance(body, P('/1'), models), /Missing id/);
    invalid(() => parseCreateInstance({ ...body, id: 5 }, P('/1/4'), models), /does not match/);
  });
  it('Write-Composite body', () => {
    const nodes = parseCompositeNodes({ '/3/0/14': { id: 14, value: '+01' }, '/1/0/1': { id: 1, value: '60' } }, models);
    expect([...nodes.keys()]).toEqual(['/3/0/14', '/1/0/1']);
    invalid(() => parseCompositeNodes({ '/3/0': { id: 0, resources: [] } }, models), /targets resources/);
    invalid(() => parseCompositeNodes({ 'x': {} }, models), /Invalid path "x"/);
    invalid(() => parseCompositeNodes([], models), /JSON object/);
  });
});

describe('security info JSON (Leshan demo servers)', () => {
  it('psk round trip', () => {
    const info = parseSecurityInfo({ endpoint: 'dev1', tls: { mode: 'psk', details: { identity: 'dev1-id', key: '00112233' } } });
    expect(info).toEqual({ endpoint: 'dev1', mode: 'psk', identity: 'dev1-id', key: Buffer.from('00112233', 'hex') });
    expect(JSON.stringify(securityInfoToJson(info))).toBe('{"endpoint":"dev1","tls":{"mode":"psk","details":{"identity":"dev1-id","key":"00112233"}}}');
  });
  it('rpk must be an EC SubjectPublicKeyInfo; x509; legacy form', () => {
    const der = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'der', type: 'spki' });
    const rpk = parseSecurityInfo({ endpoint: 'd', tls: { mode: 'rpk', details: { key: der.toString('hex') } } });
    expect(JSON.stringify(securityInfoToJson(rpk))).toBe(`{"endpoint":"d","tls":{"mode":"rpk","details":{"key":"${der.toString('hex')}"}}}`);
    invalid(() => parseSecurityInfo({ endpoint: 'd', tls: { mode: 'rpk', details: { key: '3000' } } }), /SubjectPublicKeyInfo/);
    const ed = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' });
    invalid(() => parseSecurityInfo({ endpoint: 'd', tls: { mode: 'rpk', details: { key: ed.toString('hex') } } }), /elliptic-curve/);
    expect(parseSecurityInfo({ endpoint: 'd', tls: { mode: 'x509' } })).toEqual({ endpoint: 'd', mode: 'x509' });
    expect(JSON.stringify(securityInfoToJson({ endpoint: 'd', mode: 'x509' }))).toBe('{"endpoint":"d","tls":{"mode":"x509"}}');
    expect(parseSecurityInfo({ endpoint: 'd', psk: { identity: 'i', key: 'aa' } })).toMatchObject({ mode: 'psk', identity: 'i' });
  });
  it('refuses malformed bodies', () => {
    invalid(() => parseSecurityInfo({ tls: { mode: 'x509' } }), /Missing endpoint/);
    invalid(() => parseSecurityInfo({ endpoint: 'd', tls: { mode: 'psk', details: { identity: 'i', key: 'xyz' } } }), /hex/);
    invalid(() => parseSecurityInfo({ endpoint: 'd', tls: { mode: 'psk', details: { key: 'aa' } } }), /Missing PSK identity/);
    invalid(() => parseSecurityInfo({ endpoint: 'd', tls: { mode: 'oscore' } }), /Unsupported tls mode/);
    invalid(() => parseSecurityInfo({ endpoint: 'd' }), /Invalid security info/);
    invalid(() => parseSecurityInfo(null), /JSON object/);
  });
});
