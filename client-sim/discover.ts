/**
 * The CoRE links the client produces: the registration's object list (with the root link that
 * announces rt="oma.lwm2m" and the content formats), Discover (with notification attributes and
 * dim), and Bootstrap-Discover (with ssid and uri of the server accounts).
 */
import { quote } from '../objects/codecs/link-format';
import type { Link } from '../objects/link';
import { LwM2mPath } from '../objects/path';
import { attributeParams, type AttributeStore } from './attributes';
import { OperationError } from './errors';
import type { LwM2mVersion } from './formats';
import { DEVICE } from './object-enabler';
import type { ObjectTree } from './object-tree';

/** Objects never listed in Register / Update: Security and OSCORE (LwM2M 1.1 Transport §6.2.1). */
const HIDDEN_FROM_SERVER = new Set([0, 21]);

function link(url: string, attributes: Record<string, string | null> = {}): Link {
  return { url, attributes };
}

function versionAttr(version: string): Record<string, string> {
  return version && version !== '1.0' ? { ver: version } : {};
}

/** Register / Update payload: root link, then every object and instance. */
export function registrationLinks(tree: ObjectTree, version: LwM2mVersion, formats: readonly number[]): Link[] {
  const root: Record<string, string> = { rt: quote('oma.lwm2m') };
  if (version !== '1.0' && formats.length > 0) root.ct = formats.length === 1 ? String(formats[0]) : quote(formats.join(' '));
  const links: Link[] = [link('/', root)];
  for (const e of tree.all()) {
    if (HIDDEN_FROM_SERVER.has(e.id)) continue;
    const ids = e.instanceIds();
    const ver = versionAttr(e.model.version);
    if (ids.length === 0 || Object.keys(ver).length > 0) links.push(link(`/${e.id}`, ver));
    for (const i of ids) links.push(link(`/${e.id}/${i}`));
  }
  return links;
}

/** Discover on an object, instance or resource (DM interface). */
export function discoverLinks(tree: ObjectTree, path: LwM2mPath, attrs: AttributeStore): Link[] {
  if (path.objectId === undefined || path.depth > 3) throw OperationError.badRequest(`Discover is not allowed on ${path}`);
  const e = tree.enabler(path.objectId);
  const own = (p: LwM2mPath) => attributeParams(attrs.own(p));
  const target = attributeParams(attrs.effective(path));
  const resourceLinks = (iid: number, only?: number): Link[] => {
    const inst = e.readInstance(iid, DEVICE);
    const out: Link[] = [];
    for (const res of [...e.model.resources.values()].sort((a, b) => a.id - b.id)) {
      if (only !== undefined && res.id !== only) continue;
      const node = inst.resources.get(res.id);
      if (!node && res.operations !== 'E') continue;
      const p = new LwM2mPath(e.id, iid, res.id);
      const dim: Record<string, string> = node?.kind === 'multiResource' ? { dim: String(node.values.size) } : {};
      out.push(link(p.toString(), { ...dim, ...(only !== undefined ? target : own(p)) }));
      if (only !== undefined && node?.kind === 'multiResource') {
        for (const ri of [...node.values.keys()].sort((a, b) => a - b)) out.push(link(p.child(ri).toString(), own(p.child(ri))));
      }
    }
    return out;
  };
  if (path.instanceId === undefined) {
    const links = [link(`/${e.id}`, { ...versionAttr(e.model.version), ...target })];
    for (const iid of e.instanceIds()) {
      links.push(link(`/${e.id}/${iid}`, own(new LwM2mPath(e.id, iid))));
      links.push(...resourceLinks(iid));
    }
    return links;
  }
  if (!e.instanceIds().includes(path.instanceId)) throw OperationError.notFound(`${path} does not exist`);
  if (path.resourceId === undefined) return [link(path.toString(), target), ...resourceLinks(path.instanceId)];
  const res = e.model.resources.get(path.resourceId);
  if (!res) throw OperationError.notFound(`${path} is not in the model`);
  const links = resourceLinks(path.instanceId, path.resourceId);
  if (links.length === 0) throw OperationError.notFound(`${path} has no value`);
  return links;
}

/** Bootstrap-Discover on "/" or an object. */
export function bootstrapDiscoverLinks(tree: ObjectTree, path: LwM2mPath, version: LwM2mVersion): Link[] {
  if (path.depth > 1) throw OperationError.badRequest('Bootstrap-Discover targets "/" or an object');
  const links: Link[] = path.isRoot() ? [link('/', { lwm2m: version })] : [];
  for (const e of tree.all()) {
    if (path.objectId !== undefined && e.id !== path.objectId) continue;
    const ids = e.instanceIds();
    const ver = versionAttr(e.model.version);
    if (ids.length === 0 || Object.keys(ver).length > 0) links.push(link(`/${e.id}`, ver));
    for (const iid of ids) {
      const attrs: Record<string, string> = {};
      if (e.id === 0 || e.id === 1) {
        const inst = e.readInstance(iid, DEVICE);
        const get = (rid: number) => { const n = inst.resources.get(rid); return n?.kind === 'singleResource' ? n.value : undefined; };
        const ssid = e.id === 0 ? get(10) : get(0);
        const bootstrap = e.id === 0 && get(1) === true;
        if (typeof ssid === 'bigint' && !bootstrap) attrs.ssid = String(ssid);
        const uri = e.id === 0 ? get(0) : undefined;
        if (typeof uri === 'string') attrs.uri = quote(uri);
      }
      links.push(link(`/${e.id}/${iid}`, attrs));
    }
  }
  if (path.objectId !== undefined && links.length === 0) throw OperationError.notFound(`${path} is not supported`);
  return links;
}
