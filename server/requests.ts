/**
 * Downlink requests (server → client) and their responses, as immutable tagged unions. The
 * LwM2M server executes them over CoAP (or queues them for a sleeping client); the REST API and
 * the plugin's adapter build them. Shape is the contract between server/, its REST API and plugin/.
 */
import type { LwM2mNode, ObjectInstance } from '../objects/node';
import type { LwM2mPath } from '../objects/path';

import type { Link } from '../objects/link';

export type { Link };

export type DownlinkRequest =
  | { readonly kind: 'read'; readonly path: LwM2mPath; readonly format?: number }
  | { readonly kind: 'discover'; readonly path: LwM2mPath }
  | { readonly kind: 'write'; readonly path: LwM2mPath; readonly node: LwM2mNode; readonly mode: 'replace' | 'update'; readonly format?: number }
  | { readonly kind: 'writeAttributes'; readonly path: LwM2mPath; readonly attributes: Readonly<Record<string, string | null>> }
  | { readonly kind: 'execute'; readonly path: LwM2mPath; readonly args?: string }
  | { readonly kind: 'create'; readonly path: LwM2mPath; readonly instances: readonly ObjectInstance[]; readonly format?: number }
  | { readonly kind: 'delete'; readonly path: LwM2mPath }
  | { readonly kind: 'readComposite'; readonly paths: readonly LwM2mPath[]; readonly requestFormat?: number; readonly responseFormat?: number }
  | { readonly kind: 'writeComposite'; readonly nodes: ReadonlyMap<string, LwM2mNode>; readonly format?: number }
  | { readonly kind: 'observe'; readonly path: LwM2mPath; readonly format?: number }
  | { readonly kind: 'observeComposite'; readonly paths: readonly LwM2mPath[]; readonly requestFormat?: number; readonly responseFormat?: number }
  /** Cancel an observation: passive (forget it, reset the next notification) or active (GET with Observe=1). */
  | { readonly kind: 'cancelObserve'; readonly path: LwM2mPath; readonly active: boolean }
  | { readonly kind: 'cancelObserveComposite'; readonly paths: readonly LwM2mPath[]; readonly active: boolean };

/** Bootstrap-interface requests (bootstrap server → client). */
export type BootstrapRequest =
  | { readonly kind: 'bootstrapDiscover'; readonly path: LwM2mPath }
  | { readonly kind: 'bootstrapWrite'; readonly path: LwM2mPath; readonly node: LwM2mNode; readonly format?: number }
  | { readonly kind: 'bootstrapRead'; readonly path: LwM2mPath; readonly format?: number }
  | { readonly kind: 'bootstrapDelete'; readonly path: LwM2mPath }
  | { readonly kind: 'bootstrapFinish' };

/** CoAP response code as "2.05" etc. */
export type CoapCode = string;

export interface LwM2mResponse {
  /** CoAP response code, e.g. "2.05", "4.04". */
  readonly code: CoapCode;
  /** Read / Observe / notifications. */
  readonly content?: LwM2mNode;
  /** Read-Composite / Observe-Composite: path string → node. */
  readonly contents?: ReadonlyMap<string, LwM2mNode>;
  /** Discover. */
  readonly objectLinks?: readonly Link[];
  /** Create: the new instance path (Location-Path). */
  readonly location?: string;
  /** Diagnostic payload of an error response. */
  readonly errorMessage?: string;
  /** Observe / Observe-Composite success: the id of the stored observation. */
  readonly observationId?: string;
}

/** Answer for a request to a sleeping queue-mode client: the real answer comes later as an event. */
export interface DelayedResponse {
  readonly delayed: true;
  readonly requestId: string;
  readonly ep: string;
}

/** Leshan-style response status name for a CoAP code: "2.05" → "CONTENT(205)". */
export const RESPONSE_NAMES: Readonly<Record<string, string>> = {
  '2.01': 'CREATED', '2.02': 'DELETED', '2.03': 'VALID', '2.04': 'CHANGED', '2.05': 'CONTENT', '2.31': 'CONTINUE',
  '4.00': 'BAD_REQUEST', '4.01': 'UNAUTHORIZED', '4.02': 'BAD_OPTION', '4.03': 'FORBIDDEN', '4.04': 'NOT_FOUND',
  '4.05': 'METHOD_NOT_ALLOWED', '4.06': 'NOT_ACCEPTABLE', '4.08': 'REQUEST_ENTITY_INCOMPLETE', '4.09': 'CONFLICT',
  '4.12': 'PRECONDITION_FAILED', '4.13': 'REQUEST_ENTITY_TOO_LARGE', '4.15': 'UNSUPPORTED_CONTENT_FORMAT',
  '5.00': 'INTERNAL_SERVER_ERROR', '5.01': 'NOT_IMPLEMENTED', '5.02': 'BAD_GATEWAY', '5.03': 'SERVICE_UNAVAILABLE',
  '5.04': 'GATEWAY_TIMEOUT', '5.05': 'PROXYING_NOT_SUPPORTED',
};

export function isSuccess(code: CoapCode): boolean {
  return code.startsWith('2.');
}
