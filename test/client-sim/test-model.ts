/** A hand-built object model in the test range (42769), for enabler tests that need no DDF. */
import type { ObjectModel, ResourceModel, ResourceType, Operations } from '../../objects/model';

function res(id: number, name: string, operations: Operations, type: ResourceType, multiple = false, mandatory = false): ResourceModel {
  return { id, name, operations, type, multiple, mandatory, rangeEnumeration: '', units: '', description: '' };
}

export const TEST_OBJECT: ObjectModel = {
  id: 42769,
  name: 'Test',
  description: '',
  version: '1.1',
  lwm2mVersion: '1.1',
  urn: 'urn:oma:lwm2m:x:42769',
  multiple: true,
  mandatory: false,
  resources: new Map([
    res(0, 'Name', 'RW', 'STRING', false, true),
    res(1, 'Count', 'R', 'INTEGER'),
    res(2, 'Level', 'RW', 'FLOAT'),
    res(3, 'Tags', 'RW', 'STRING', true),
    res(4, 'Secret', 'W', 'OPAQUE'),
    res(5, 'Run', 'E', 'NONE'),
    res(6, 'Enabled', 'RW', 'BOOLEAN'),
  ].map((r) => [r.id, r])),
};
