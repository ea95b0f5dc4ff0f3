/** A hand-built object in the LwM2M test range (42770), on both sides of the e2e suite. */
import { ModelObjectEnabler } from '../../client-sim/model-object-enabler';
import type { ExecuteArgs } from '../../client-sim/execute-args';
import { standardModels } from '../../objects/ddf-loader';
import type { ObjectModel, Operations, ResourceModel, ResourceType } from '../../objects/model';

function res(id: number, name: string, operations: Operations, type: ResourceType, multiple = false): ResourceModel {
  return { id, name, operations, type, multiple, mandatory: false, rangeEnumeration: '', units: '', description: '' };
}

export const TEST_OBJECT_ID = 42770;

export const TEST_MODEL: ObjectModel = {
  id: TEST_OBJECT_ID, name: 'E2E Test', description: '', version: '1.0', lwm2mVersion: '1.1', urn: 'urn:oma:lwm2m:x:42770',
  multiple: true, mandatory: false,
  resources: new Map([
    res(0, 'Name', 'RW', 'STRING'), res(1, 'Count', 'RW', 'INTEGER'), res(2, 'Level', 'RW', 'FLOAT'),
    res(3, 'Tags', 'RW', 'STRING', true), res(4, 'Blob', 'RW', 'OPAQUE'), res(5, 'Run', 'E', 'NONE'), res(6, 'Enabled', 'RW', 'BOOLEAN'),
  ].map((r) => [r.id, r])),
};

export const MODELS = standardModels().with([TEST_MODEL]);

/** The client side of the test object; `executed` records every Execute's arguments. */
export function testObject(executed: ExecuteArgs[] = []): ModelObjectEnabler {
  return new ModelObjectEnabler(TEST_MODEL, {
    instances: [{ id: 0, values: { 0: 'first', 1: 5, 2: 1.5, 3: ['a', 'b'], 4: new Uint8Array([1, 2, 3]), 6: true } }],
    resources: { 5: { execute: (_i, args) => { executed.push(args); } } },
  });
}
