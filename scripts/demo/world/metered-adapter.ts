/**
 * A DmAdapter decorator that counts the payload bytes SP1 sends to each device through its
 * device-management stack: the transfer token written to Transfer/Token and the trust anchors
 * created in the Trust Store. Everything else passes through unchanged.
 */
import type { LwM2mNode, ObjectInstance } from '../../../objects/node';
import type { AdapterEvent, AdapterListener, AdapterRegistration, DmAdapter, RequestOptions } from '../../../plugin/adapter/index';

export interface DeviceWrites {
  token: number;
  anchors: number;
}

function opaqueBytes(node: LwM2mNode | ObjectInstance): number {
  if (node.kind === 'singleResource') return node.value instanceof Uint8Array ? node.value.length : 0;
  if (node.kind === 'instance') {
    let n = 0;
    for (const r of node.resources.values()) n += opaqueBytes(r);
    return n;
  }
  return 0;
}

export class MeteredAdapter implements DmAdapter {
  readonly writes = new Map<string, DeviceWrites>();

  constructor(private readonly inner: DmAdapter, private readonly ids: { transfer: number; trustStore: number } = { transfer: 33001, trustStore: 33002 }) {}

  private of(ep: string): DeviceWrites {
    let w = this.writes.get(ep);
    if (!w) { w = { token: 0, anchors: 0 }; this.writes.set(ep, w); }
    return w;
  }

  registration(ep: string): Promise<AdapterRegistration | undefined> { return this.inner.registration(ep); }
  read(ep: string, path: string, opts?: RequestOptions): Promise<LwM2mNode> { return this.inner.read(ep, path, opts); }

  async write(ep: string, path: string, node: LwM2mNode, opts?: RequestOptions & { mode?: 'replace' | 'update' }): Promise<void> {
    await this.inner.write(ep, path, node, opts);
    if (path === `/${this.ids.transfer}/0/0`) this.of(ep).token = opaqueBytes(node);
  }

  execute(ep: string, path: string, args?: string, opts?: RequestOptions): Promise<void> { return this.inner.execute(ep, path, args, opts); }

  async create(ep: string, objectPath: string, instance: ObjectInstance, opts?: RequestOptions): Promise<void> {
    await this.inner.create(ep, objectPath, instance, opts);
    if (objectPath === `/${this.ids.trustStore}`) this.of(ep).anchors += opaqueBytes(instance);
  }

  delete(ep: string, path: string, opts?: RequestOptions): Promise<void> { return this.inner.delete(ep, path, opts); }
  on(event: AdapterEvent, listener: AdapterListener): () => void { return this.inner.on(event, listener); }
  close(): Promise<void> { return this.inner.close(); }
}
