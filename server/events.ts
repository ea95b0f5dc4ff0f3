/**
 * Typed events of the LwM2M server, named as in Leshan's event servlet; the REST API relays
 * them as server-sent events and the plugin's adapter listens to them.
 */
import type { LwM2mNode, TimestampedNode } from '../objects/node';
import type { Registration } from './registration';
import type { LwM2mResponse } from './requests';

export interface RegistrationUpdateInfo {
  readonly registrationId: string;
  readonly address: string;
  readonly lifetime: number;
  readonly objectLinks?: Registration['objectLinks'];
  readonly secure: boolean;
  readonly additionalAttributes: Readonly<Record<string, string>>;
}

export interface ServerEvents {
  REGISTRATION: { registration: Registration };
  UPDATED: { registration: Registration; update: RegistrationUpdateInfo };
  DEREGISTRATION: { registration: Registration; expired: boolean };
  SLEEPING: { ep: string };
  AWAKE: { ep: string };
  NOTIFICATION: { ep: string; observationId: string; kind: 'single'; path: string; node: LwM2mNode }
    | { ep: string; observationId: string; kind: 'composite'; paths: string[]; nodes: ReadonlyMap<string, LwM2mNode> };
  SEND: { ep: string; nodes: ReadonlyMap<string, TimestampedNode[]> };
  REQUEST_RESPONSE: { ep: string; requestId: string; path?: string; response: LwM2mResponse };
  /** A bootstrap session ended: finished (Bootstrap-Finish answered 2.04) or failed at a step. */
  BOOTSTRAP: { ep: string; status: 'finished' | 'failed'; error?: string; responses: ReadonlyArray<{ request: string; response: LwM2mResponse }> };
  COAPLOG: { timestamp: number; incoming: boolean; type: string; code: string; mId: number; token: string; options: string; payload?: string; ep?: string };
}

export type ServerEventName = keyof ServerEvents;
