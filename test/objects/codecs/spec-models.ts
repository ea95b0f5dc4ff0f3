/** Models for the tests: the shipped standard ones plus the spec's hypothetical objects 65–67 and 72 and a test object 42769 with one resource of every type. */
import { loadDdf, standardModels } from '../../../objects/ddf-loader';
import type { StaticModelProvider } from '../../../objects/model';

const item = (id: number, type: string, multiple = false, ops = 'RW') =>
  `<Item ID="${id}"><Name>R${id}</Name><Operations>${ops}</Operations><MultipleInstances>${multiple ? 'Multiple' : 'Single'}</MultipleInstances><Mandatory>Optional</Mandatory><Type>${type}</Type><RangeEnumeration/><Units/><Description/></Item>`;
const object = (id: number, items: string[], multiple = true) =>
  `<Object ObjectType="MODefinition"><Name>O${id}</Name><Description1/><ObjectID>${id}</ObjectID><ObjectURN>urn:oma:lwm2m:x:${id}</ObjectURN><MultipleInstances>${multiple ? 'Multiple' : 'Single'}</MultipleInstances><Mandatory>Optional</Mandatory><Resources>${items.join('')}</Resources></Object>`;

export const ALL_TYPES = ['String', 'Integer', 'Unsigned Integer', 'Float', 'Boolean', 'Opaque', 'Time', 'Objlnk', 'Corelnk'] as const;

/** Test object 42769: resource 2k single and 2k+1 multiple of the k-th type of ALL_TYPES; 30 is executable. */
export const TEST_OBJECT = 42769;

const TEST_XML = `<LWM2M>
${object(65, [item(0, 'Objlnk', true), item(1, 'String'), item(2, 'Integer')])}
${object(66, [item(0, 'String'), item(1, 'String'), item(2, 'Objlnk')])}
${object(67, [item(0, 'String'), item(1, 'String')])}
${object(72, [item(2, 'Float')])}
${object(TEST_OBJECT, [...ALL_TYPES.flatMap((t, k) => [item(2 * k, t), item(2 * k + 1, t, true)]), item(30, '', false, 'E')])}
</LWM2M>`;

export function specModels(): StaticModelProvider {
  return standardModels().with(loadDdf(TEST_XML));
}

/** "C8 00 14 …" → bytes (whitespace ignored). */
export function hex(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex').toUpperCase();
}

import { multiResource, objectInstance, singleResource, type ObjectInstance } from '../../../objects/node';

/** The example client's Device object instance /3/0 (LwM2M 1.1 Core §6.4.3.1, 1.2 Core "LwM2M CBOR"/"SenML JSON"). */
export function exampleDevice(): ObjectInstance {
  return objectInstance(0, [
    singleResource(0, 'STRING', 'Open Mobile Alliance'),
    singleResource(1, 'STRING', 'Lightweight M2M Client'),
    singleResource(2, 'STRING', '345000123'),
    singleResource(3, 'STRING', '1.0'),
    multiResource(6, 'INTEGER', [[0, 1n], [1, 5n]]),
    multiResource(7, 'INTEGER', [[0, 3800n], [1, 5000n]]),
    multiResource(8, 'INTEGER', [[0, 125n], [1, 900n]]),
    singleResource(9, 'INTEGER', 100n),
    singleResource(10, 'INTEGER', 15n),
    multiResource(11, 'INTEGER', [[0, 0n]]),
    singleResource(13, 'TIME', new Date(1367491215 * 1000)),
    singleResource(14, 'STRING', '+02:00'),
    singleResource(16, 'STRING', 'U'),
  ]);
}
