/** DDF loader against the real OMA registry files and against malformed documents. */
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { InvalidInputError } from '../../common/errors';
import { ddfDirectory, loadDdf, loadDdfDirectory, loadDdfFile, standardModels } from '../../objects/ddf-loader';

const REGISTRY = path.resolve(__dirname, '../..', '../shared/fixtures/lwm2m-registry');

const MINIMAL = (body: string) => `<?xml version="1.0"?><LWM2M><Object ObjectType="MODefinition">${body}</Object></LWM2M>`;
const OBJECT_HEAD = '<Name>X</Name><Description1>d</Description1><ObjectID>40000</ObjectID><ObjectURN>urn:oma:lwm2m:x:40000</ObjectURN><MultipleInstances>Multiple</MultipleInstances><Mandatory>Optional</Mandatory>';
const ITEM = (id: string, type = 'Integer', ops = 'RW') => `<Item ID="${id}"><Name>R${id}</Name><Operations>${ops}</Operations><MultipleInstances>Single</MultipleInstances><Mandatory>Mandatory</Mandatory><Type>${type}</Type><RangeEnumeration></RangeEnumeration><Units>s</Units><Description>desc</Description></Item>`;

describe('loadDdfFile on the OMA registry', () => {
  it('loads the Device object (3) with typed resources', () => {
    const [device] = loadDdfFile(path.join(REGISTRY, '3.xml'));
    expect(device.id).toBe(3);
    expect(device.name).toBe('Device');
    expect(device.version).toBe('1.2');
    expect(device.lwm2mVersion).toBe('1.1');
    expect(device.urn).toBe('urn:oma:lwm2m:oma:3:1.2');
    expect(device.multiple).toBe(false);
    expect(device.mandatory).toBe(true);
    expect(device.resources.get(0)).toMatchObject({ name: 'Manufacturer', type: 'STRING', operations: 'R', multiple: false, mandatory: false });
    expect(device.resources.get(4)).toMatchObject({ name: 'Reboot', type: 'NONE', operations: 'E' });
    expect(device.resources.get(6)).toMatchObject({ type: 'INTEGER', multiple: true });
    expect(device.resources.get(13)).toMatchObject({ name: 'Current Time', type: 'TIME', operations: 'RW' });
  });

  it.each([
    ['0.xml', 0, 'LWM2M Security', true],
    ['1.xml', 1, 'LwM2M Server', true],
    ['2.xml', 2, 'LwM2M Access Control', true],
    ['5.xml', 5, 'Firmware Update', false],
    ['9.xml', 9, 'LWM2M Software Management', true],
    ['21.xml', 21, 'LWM2M OSCORE', true],
  ])('loads %s', (file, id, name, multiple) => {
    const models = loadDdfFile(path.join(REGISTRY, file));
    expect(models).toHaveLength(1);
    expect(models[0]).toMatchObject({ id, name, multiple });
    expect(models[0].resources.size).toBeGreaterThan(3);
  });

  it('maps Unsigned Integer, Objlnk and Opaque', () => {
    const [server] = loadDdfFile(path.join(REGISTRY, '1.xml'));
    expect(server.resources.get(11)?.type).toBe('UNSIGNED_INTEGER');
    expect(server.resources.get(10)?.type).toBe('OBJLNK');
    const [security] = loadDdfFile(path.join(REGISTRY, '0.xml'));
    expect(security.resources.get(3)?.type).toBe('OPAQUE');
    const [acl] = loadDdfFile(path.join(REGISTRY, '2.xml'));
    expect(acl.resources.get(2)).toMatchObject({ type: 'INTEGER', multiple: true });
  });
});

describe('standardModels', () => {
  it('finds objects/ddf next to package.json and ships 0, 1, 2, 3, 5, 9, 21', () => {
    expect(ddfDirectory()).toBe(path.resolve(__dirname, '../..', 'objects/ddf'));
    const provider = standardModels();
    for (const id of [0, 1, 2, 3, 5, 9, 21]) expect(provider.getObject(id)?.id).toBe(id);
    expect(provider.getResource(3, 9)?.name).toBe('Battery Level');
  });

  it('ships the same models as the registry fixtures', () => {
    const provider = standardModels();
    for (const id of [0, 1, 2, 3, 5, 9, 21]) {
      expect(provider.getObject(id)).toEqual(loadDdfFile(path.join(REGISTRY, `${id}.xml`))[0]);
    }
  });

  it('every shipped DDF file validates against LWM2M-v1_1.xsd', () => {
    for (const id of [0, 1, 2, 3, 5, 9, 21]) {
      execFileSync('xmllint', ['--noout', '--schema', path.join(REGISTRY, 'LWM2M-v1_1.xsd'), path.join(ddfDirectory(), `${id}.xml`)], { stdio: 'pipe' });
    }
  });
});

describe('loadDdf errors', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['malformed XML', '<LWM2M><Object></LWM2M>', /Malformed DDF XML at line 1/],
    ['not XML at all', 'hello', /Malformed DDF XML/],
    ['no LWM2M root', '<Foo/>', /no <LWM2M> root/],
    ['no Object', '<LWM2M><Foo>1</Foo></LWM2M>', /no <Object>/],
    ['missing ObjectID', MINIMAL('<Name>X</Name><Description1/><Resources/>'), /missing <ObjectID>/],
    ['bad ObjectID', MINIMAL(OBJECT_HEAD.replace('40000</ObjectID>', '70000</ObjectID>') + '<Resources/>'), /not an id/],
    ['missing Resources', MINIMAL(OBJECT_HEAD), /missing <Resources>/],
    ['bad type', MINIMAL(OBJECT_HEAD + `<Resources>${ITEM('0', 'Double')}</Resources>`), /resource 0: invalid <Type> "Double"/],
    ['bad operations', MINIMAL(OBJECT_HEAD + `<Resources>${ITEM('0', 'String', 'RWX')}</Resources>`), /invalid <Operations>/],
    ['item without ID', MINIMAL(OBJECT_HEAD + `<Resources>${ITEM('0').replace(' ID="0"', '')}</Resources>`), /without an ID/],
    ['duplicate resource', MINIMAL(OBJECT_HEAD + `<Resources>${ITEM('1')}${ITEM('1')}</Resources>`), /resource 1 is defined twice/],
    ['bad multiple', MINIMAL(OBJECT_HEAD.replace('>Multiple<', '>Many<') + '<Resources/>'), /expected Multiple or Single/],
  ];
  it.each(cases)('%s → InvalidInputError', (_title, xml, message) => {
    expect(() => loadDdf(xml)).toThrow(InvalidInputError);
    expect(() => loadDdf(xml)).toThrow(message);
  });

  it('loads a minimal valid custom object with defaults for the optional elements', () => {
    const [m] = loadDdf(MINIMAL(OBJECT_HEAD + `<Resources>${ITEM('0', 'Float')}${ITEM('7', 'Corelnk', 'R')}${ITEM('8', '', 'E')}</Resources>`));
    expect(m).toMatchObject({ id: 40000, version: '1.0', lwm2mVersion: '1.0', multiple: true, mandatory: false });
    expect([...m.resources.values()].map((r) => r.type)).toEqual(['FLOAT', 'CORELNK', 'NONE']);
    expect(m.resources.get(0)?.units).toBe('s');
  });
});

describe('loadDdfDirectory', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(path.join(tmpdir(), 'ddf-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads every xml file and refuses duplicate object ids', () => {
    const xml = MINIMAL(OBJECT_HEAD + `<Resources>${ITEM('0')}</Resources>`);
    writeFileSync(path.join(dir, 'a.xml'), xml);
    writeFileSync(path.join(dir, 'notes.txt'), 'ignored');
    expect(loadDdfDirectory(dir).map((m) => m.id)).toEqual([40000]);
    writeFileSync(path.join(dir, 'b.xml'), xml);
    expect(() => loadDdfDirectory(dir)).toThrow(/Object 40000 is defined twice: in a.xml and b.xml/);
  });

  it('names the file of a malformed definition', () => {
    writeFileSync(path.join(dir, 'broken.xml'), '<LWM2M>');
    expect(() => loadDdfDirectory(dir)).toThrow(/broken\.xml: Malformed DDF XML/);
    expect(() => loadDdfDirectory(path.join(dir, 'missing'))).toThrow(InvalidInputError);
  });
});
