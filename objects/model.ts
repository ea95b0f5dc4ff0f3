/**
 * Typed LwM2M object models, as loaded from OMA DDF XML (see ddf-loader.ts). Models are data:
 * the server and client pick them per client, codecs consult them for resource types.
 */

/** LwM2M resource data types (LwM2M 1.1 Core, Appendix C). */
export type ResourceType =
  | 'STRING' | 'INTEGER' | 'UNSIGNED_INTEGER' | 'FLOAT' | 'BOOLEAN'
  | 'OPAQUE' | 'TIME' | 'OBJLNK' | 'CORELNK' | 'NONE';

/** Allowed operations of a resource: R, W, RW, E, or none (""). */
export type Operations = '' | 'R' | 'W' | 'RW' | 'E';

export interface ResourceModel {
  readonly id: number;
  readonly name: string;
  readonly operations: Operations;
  readonly multiple: boolean;
  readonly mandatory: boolean;
  readonly type: ResourceType;
  readonly rangeEnumeration: string;
  readonly units: string;
  readonly description: string;
}

export interface ObjectModel {
  readonly id: number;
  readonly name: string;
  readonly description: string;
  /** Object version, e.g. "1.0" or "1.1". */
  readonly version: string;
  /** LwM2M version the object was written for, e.g. "1.0". */
  readonly lwm2mVersion: string;
  readonly urn: string;
  readonly multiple: boolean;
  readonly mandatory: boolean;
  readonly resources: ReadonlyMap<number, ResourceModel>;
}

/** A set of object models, looked up by object id. */
export interface ModelProvider {
  getObject(objectId: number): ObjectModel | undefined;
  getResource(objectId: number, resourceId: number): ResourceModel | undefined;
  all(): ObjectModel[];
}

/** A ModelProvider over a fixed list of models. */
export class StaticModelProvider implements ModelProvider {
  private readonly byId = new Map<number, ObjectModel>();

  constructor(models: Iterable<ObjectModel>) {
    for (const m of models) this.byId.set(m.id, m);
  }

  getObject(objectId: number): ObjectModel | undefined {
    return this.byId.get(objectId);
  }

  getResource(objectId: number, resourceId: number): ResourceModel | undefined {
    return this.byId.get(objectId)?.resources.get(resourceId);
  }

  all(): ObjectModel[] {
    return [...this.byId.values()];
  }

  /** A new provider with these models added (replacing same ids). */
  with(models: Iterable<ObjectModel>): StaticModelProvider {
    return new StaticModelProvider([...this.byId.values(), ...models]);
  }
}
