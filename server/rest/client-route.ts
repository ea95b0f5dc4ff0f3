/**
 * Route parsing of /api/clients/…: method and path segments → one client operation, following
 * Leshan's ClientServlet dispatch. Pure; undefined means "Invalid path" (400).
 */
import { LwM2mPath } from '../../objects/path';

export type ClientRoute =
  | { readonly op: 'list' }
  | { readonly op: 'get'; readonly ep: string }
  | { readonly op: 'read' | 'discover' | 'write' | 'writeAttributes' | 'execute' | 'create' | 'observe' | 'cancelObserve' | 'delete'; readonly ep: string; readonly path: LwM2mPath }
  | { readonly op: 'readComposite' | 'writeComposite' | 'observeComposite' | 'cancelObserveComposite'; readonly ep: string };

/** Segments → an LwM2M path, undefined when they are not one. */
function lwm2mPath(segments: readonly string[]): LwM2mPath | undefined {
  if (segments.length === 0 || segments.length > 4 || !segments.every((s) => /^\d{1,5}$/.test(s))) return undefined;
  try {
    return LwM2mPath.parse('/' + segments.join('/'));
  } catch {
    return undefined;
  }
}

/**
 * `segments` are the decoded, non-empty path segments after /api/clients. Returns undefined for
 * a path that names no operation of `method`.
 */
export function parseClientRoute(method: string, segments: readonly string[]): ClientRoute | undefined {
  if (segments.length === 0) return method === 'GET' ? { op: 'list' } : undefined;
  const [ep, ...rest] = segments;
  const last = rest[rest.length - 1];
  const composite = rest[0] === 'composite';
  const withPath = (op: Exclude<ClientRoute['op'], 'list' | 'get' | 'readComposite' | 'writeComposite' | 'observeComposite' | 'cancelObserveComposite'>, segs: readonly string[]): ClientRoute | undefined => {
    const path = lwm2mPath(segs);
    return path ? { op, ep, path } : undefined;
  };
  switch (method) {
    case 'GET':
      if (rest.length === 0) return { op: 'get', ep };
      if (composite && rest.length === 1) return { op: 'readComposite', ep };
      if (rest.length >= 2 && last === 'discover') return withPath('discover', rest.slice(0, -1));
      return withPath('read', rest);
    case 'PUT':
      if (composite && rest.length === 1) return { op: 'writeComposite', ep };
      if (rest.length >= 2 && last === 'attributes') return withPath('writeAttributes', rest.slice(0, -1));
      if (rest.length < 2) return undefined;
      return withPath('write', rest);
    case 'POST':
      if (composite && rest.length === 2 && last === 'observe') return { op: 'observeComposite', ep };
      if (rest.length >= 2 && last === 'observe') return withPath('observe', rest.slice(0, -1));
      if (rest.length === 3) return withPath('execute', rest);
      if (rest.length === 1 || rest.length === 2) return withPath('create', rest);
      return undefined;
    case 'DELETE':
      if (composite && rest.length === 2 && last === 'observe') return { op: 'cancelObserveComposite', ep };
      if (rest.length >= 2 && last === 'observe') return withPath('cancelObserve', rest.slice(0, -1));
      if (rest.length === 2) return withPath('delete', rest);
      return undefined;
    default:
      return undefined;
  }
}
