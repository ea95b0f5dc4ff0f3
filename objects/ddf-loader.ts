/**
 * The OMA DDF XML loader: object definitions (LWM2M-v1_1.xsd) → typed ObjectModels. Standard
 * and Handover's own objects ship as DDF files in objects/ddf/, as Leshan ships its models;
 * standardModels() reads them at run time, from the source tree and from the compiled build.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { InvalidInputError } from '../common/errors';
import { StaticModelProvider, type ObjectModel, type Operations, type ResourceModel, type ResourceType } from './model';

const TYPES: Readonly<Record<string, ResourceType>> = {
  'String': 'STRING',
  'Integer': 'INTEGER',
  'Unsigned Integer': 'UNSIGNED_INTEGER',
  'Float': 'FLOAT',
  'Boolean': 'BOOLEAN',
  'Opaque': 'OPAQUE',
  'Time': 'TIME',
  'Objlnk': 'OBJLNK',
  'Corelnk': 'CORELNK',
  '': 'NONE',
};
const OPERATIONS: ReadonlySet<string> = new Set(['', 'R', 'W', 'RW', 'E']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  isArray: (name) => name === 'Object' || name === 'Item',
});

type XmlElement = Record<string, unknown>;

/**
 * Parse one DDF XML document (one or more <Object> definitions) into ObjectModels. Throws
 * InvalidInputError naming the object and element on malformed XML, a missing element or a
 * value outside the schema's enumerations.
 */
export function loadDdf(xml: string): ObjectModel[] {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    throw new InvalidInputError(`Malformed DDF XML at line ${line}, column ${col}: ${msg}`, { details: { line, col } });
  }
  let doc: XmlElement;
  try {
    doc = parser.parse(xml) as XmlElement;
  } catch (e) {
    throw new InvalidInputError(`Malformed DDF XML: ${(e as Error).message}`, { cause: e });
  }
  const root = doc.LWM2M;
  if (!isElement(root)) throw new InvalidInputError('DDF XML has no <LWM2M> root element');
  const objects = root.Object;
  if (!Array.isArray(objects) || objects.length === 0) throw new InvalidInputError('DDF XML has no <Object> element');
  return objects.map((o, i) => objectModel(o, `Object #${i + 1}`));
}

/** Load the DDF XML file at `file`. Errors name the file. */
export function loadDdfFile(file: string): ObjectModel[] {
  let xml: string;
  try {
    xml = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InvalidInputError(`Cannot read DDF file ${file}: ${(e as Error).message}`, { cause: e });
  }
  try {
    return loadDdf(xml);
  } catch (e) {
    if (e instanceof InvalidInputError) throw new InvalidInputError(`${file}: ${e.message}`, { cause: e, details: { ...e.details, file } });
    throw e;
  }
}

/**
 * Load every *.xml file of `dir` (sorted by name, not recursive). Two definitions of the same
 * object id are refused: which one wins would otherwise depend on file names.
 */
export function loadDdfDirectory(dir: string): ObjectModel[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.toLowerCase().endsWith('.xml')).sort();
  } catch (e) {
    throw new InvalidInputError(`Cannot read DDF directory ${dir}: ${(e as Error).message}`, { cause: e });
  }
  const seen = new Map<number, string>();
  const models: ObjectModel[] = [];
  for (const name of names) {
    for (const m of loadDdfFile(path.join(dir, name))) {
      const other = seen.get(m.id);
      if (other !== undefined) throw new InvalidInputError(`Object ${m.id} is defined twice: in ${other} and ${name}`);
      seen.set(m.id, name);
      models.push(m);
    }
  }
  return models;
}

/**
 * objects/ddf of this installation. Found by walking up from this file to the folder holding
 * package.json, so it works from the sources (objects/) and from the build (dist/objects/),
 * where the XML files are not copied.
 */
export function ddfDirectory(): string {
  let dir = __dirname;
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return path.join(dir, 'objects', 'ddf');
    const up = path.dirname(dir);
    if (up === dir) throw new InvalidInputError(`No package.json above ${__dirname}: cannot locate objects/ddf`);
    dir = up;
  }
}

/** The models shipped in objects/ddf (standard objects 0, 1, 2, 3, 5, 9, 21 and Handover's own). */
export function standardModels(): StaticModelProvider {
  return new StaticModelProvider(loadDdfDirectory(ddfDirectory()));
}

function objectModel(o: unknown, where: string): ObjectModel {
  if (!isElement(o)) throw new InvalidInputError(`${where}: <Object> is empty`);
  const name = text(o, 'Name', where);
  const id = u16(text(o, 'ObjectID', where), `${where} (${name}) <ObjectID>`);
  const at = `Object ${id} (${name})`;
  const resources = new Map<number, ResourceModel>();
  const res = o.Resources;
  const items = isElement(res) && Array.isArray(res.Item) ? res.Item : [];
  if (!isElement(res) && res !== '') throw new InvalidInputError(`${at}: missing <Resources>`);
  for (const item of items) {
    const r = resourceModel(item, at);
    if (resources.has(r.id)) throw new InvalidInputError(`${at}: resource ${r.id} is defined twice`);
    resources.set(r.id, r);
  }
  const description2 = optionalText(o, 'Description2');
  return {
    id,
    name,
    description: [text(o, 'Description1', at), description2].filter((d) => d).join('\n'),
    version: optionalText(o, 'ObjectVersion') || '1.0',
    lwm2mVersion: optionalText(o, 'LWM2MVersion') || '1.0',
    urn: text(o, 'ObjectURN', at),
    multiple: multipleInstances(text(o, 'MultipleInstances', at), `${at} <MultipleInstances>`),
    mandatory: mandatory(text(o, 'Mandatory', at), `${at} <Mandatory>`),
    resources,
  };
}

function resourceModel(item: unknown, at: string): ResourceModel {
  if (!isElement(item)) throw new InvalidInputError(`${at}: empty <Item>`);
  const idText = item['@ID'];
  if (typeof idText !== 'string') throw new InvalidInputError(`${at}: <Item> without an ID attribute`);
  const id = u16(idText, `${at} <Item ID>`);
  const where = `${at} resource ${id}`;
  const operations = text(item, 'Operations', where);
  if (!OPERATIONS.has(operations)) throw new InvalidInputError(`${where}: invalid <Operations> "${operations}"`);
  const typeText = text(item, 'Type', where);
  const type = Object.hasOwn(TYPES, typeText) ? TYPES[typeText] : undefined;
  if (type === undefined) throw new InvalidInputError(`${where}: invalid <Type> "${typeText}"`);
  return {
    id,
    name: text(item, 'Name', where),
    operations: operations as Operations,
    multiple: multipleInstances(text(item, 'MultipleInstances', where), `${where} <MultipleInstances>`),
    mandatory: mandatory(text(item, 'Mandatory', where), `${where} <Mandatory>`),
    type,
    rangeEnumeration: optionalText(item, 'RangeEnumeration'),
    units: optionalText(item, 'Units'),
    description: optionalText(item, 'Description'),
  };
}

function isElement(v: unknown): v is XmlElement {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Text content of a required child element; an empty element is "". */
function text(e: XmlElement, name: string, where: string): string {
  if (!Object.hasOwn(e, name)) throw new InvalidInputError(`${where}: missing <${name}>`);
  const v = e[name];
  if (typeof v === 'string') return v;
  if (isElement(v) && typeof v['#text'] === 'string') return v['#text'];
  if (isElement(v) && Object.keys(v).every((k) => k.startsWith('@'))) return '';
  throw new InvalidInputError(`${where}: <${name}> must hold text`);
}

function optionalText(e: XmlElement, name: string): string {
  return Object.hasOwn(e, name) ? text(e, name, '') : '';
}

function u16(t: string, where: string): number {
  if (!/^\d{1,5}$/.test(t) || Number(t) > 65535) throw new InvalidInputError(`${where}: "${t}" is not an id (0..65535)`);
  return Number(t);
}

function multipleInstances(t: string, where: string): boolean {
  if (t === 'Multiple') return true;
  if (t === 'Single') return false;
  throw new InvalidInputError(`${where}: expected Multiple or Single, got "${t}"`);
}

function mandatory(t: string, where: string): boolean {
  if (t === 'Mandatory') return true;
  if (t === 'Optional') return false;
  throw new InvalidInputError(`${where}: expected Mandatory or Optional, got "${t}"`);
}
