/**
 * Object models as Leshan's demo server lists them at /api/objectspecs/{ep} (ObjectModelSerDes,
 * ResourceModelSerDes): instancetype single/multiple, lower-case resource types, operations
 * "NONE" when a resource has none.
 */
import type { ObjectModel, ResourceModel, ResourceType } from '../../objects/model';
import type { Json } from './node-json';

const TYPE_NAMES: Readonly<Record<ResourceType, string>> = {
  STRING: 'string', INTEGER: 'integer', UNSIGNED_INTEGER: 'unsigned_integer', FLOAT: 'float', BOOLEAN: 'boolean',
  OPAQUE: 'opaque', TIME: 'time', OBJLNK: 'objlnk', CORELNK: 'corelink', NONE: 'none',
};

export function resourceModelToJson(m: ResourceModel): Json {
  return {
    id: m.id,
    name: m.name,
    operations: m.operations === '' ? 'NONE' : m.operations,
    instancetype: m.multiple ? 'multiple' : 'single',
    mandatory: m.mandatory,
    type: TYPE_NAMES[m.type],
    range: m.rangeEnumeration,
    units: m.units,
    description: m.description,
  };
}

export function objectModelToJson(m: ObjectModel): Json {
  return {
    id: m.id,
    name: m.name,
    instancetype: m.multiple ? 'multiple' : 'single',
    mandatory: m.mandatory,
    urn: m.urn,
    version: m.version,
    lwm2mversion: m.lwm2mVersion,
    description: m.description,
    resourcedefs: [...m.resources.values()].sort((a, b) => a.id - b.id).map(resourceModelToJson),
  };
}
