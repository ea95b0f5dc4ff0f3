/**
 * The data of each server-sent event, in the shapes of Leshan's EventServlet. Pure: event in,
 * JSON out. Send carries, per path, its most recent value (Leshan's getMostRecentNodes).
 */
import type { TimestampedNode } from '../../objects/node';
import type { ServerEvents } from '../events';
import { nodesToJson, nodeToJson, type Json } from './node-json';
import { registrationToJson, registrationUpdateToJson } from './registration-json';
import { delayedToJson } from './response-json';

/** The event names the API relays, in Leshan's spelling. */
export const EVENT_NAMES = [
  'REGISTRATION', 'UPDATED', 'DEREGISTRATION', 'SLEEPING', 'AWAKE', 'NOTIFICATION', 'SEND', 'REQUEST_RESPONSE', 'COAPLOG',
] as const satisfies readonly (keyof ServerEvents)[];

function mostRecent(values: readonly TimestampedNode[]): TimestampedNode | undefined {
  let best: TimestampedNode | undefined;
  for (const v of values) {
    // A value without timestamp is "now", more recent than any timestamped one.
    const t = v.timestamp?.getTime() ?? Infinity;
    const bt = best === undefined ? -Infinity : best.timestamp?.getTime() ?? Infinity;
    if (best === undefined || t >= bt) best = v;
  }
  return best;
}

/**
 * The endpoint an event belongs to and its JSON data. `isSleeping` supplies the `sleeping` field
 * of queue-mode registrations.
 */
export function eventToJson<K extends keyof ServerEvents>(
  name: K, payload: ServerEvents[K], isSleeping: (ep: string) => boolean,
): { ep: string | undefined; data: Json } {
  const p = payload as ServerEvents[keyof ServerEvents];
  switch (name) {
    case 'REGISTRATION':
    case 'DEREGISTRATION': {
      const { registration } = p as ServerEvents['REGISTRATION'];
      return { ep: registration.endpoint, data: registrationToJson(registration, isSleeping(registration.endpoint)) };
    }
    case 'UPDATED': {
      const { registration, update } = p as ServerEvents['UPDATED'];
      return {
        ep: registration.endpoint,
        data: { registration: registrationToJson(registration, isSleeping(registration.endpoint)), update: registrationUpdateToJson(update) },
      };
    }
    case 'SLEEPING':
    case 'AWAKE': {
      const { ep } = p as ServerEvents['SLEEPING'];
      return { ep, data: { ep } };
    }
    case 'NOTIFICATION': {
      const n = p as ServerEvents['NOTIFICATION'];
      if (n.kind === 'single') return { ep: n.ep, data: { ep: n.ep, kind: 'single', res: n.path, val: nodeToJson(n.node) } };
      return { ep: n.ep, data: { ep: n.ep, kind: 'composite', val: nodesToJson(n.nodes), paths: [...n.paths] } };
    }
    case 'SEND': {
      const s = p as ServerEvents['SEND'];
      const val: { [path: string]: Json } = {};
      for (const [path, values] of s.nodes) {
        const v = mostRecent(values);
        if (v) val[path] = nodeToJson(v.node);
      }
      return { ep: s.ep, data: { ep: s.ep, val } };
    }
    case 'REQUEST_RESPONSE': {
      const r = p as ServerEvents['REQUEST_RESPONSE'];
      return { ep: r.ep, data: delayedToJson(r.ep, r.requestId, r.path, r.response) };
    }
    case 'COAPLOG': {
      const c = p as ServerEvents['COAPLOG'];
      const o: { [key: string]: Json } = {
        timestamp: c.timestamp, incoming: c.incoming, type: c.type, code: c.code, mId: c.mId, token: c.token, options: c.options,
      };
      if (c.payload !== undefined) o.payload = c.payload;
      if (c.ep !== undefined) o.ep = c.ep;
      return { ep: c.ep, data: o };
    }
    default:
      throw new TypeError(`Unknown event ${String(name)}`);
  }
}
