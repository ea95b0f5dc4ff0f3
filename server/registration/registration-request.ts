/**
 * Register and Update requests (LwM2M 1.1 Transport §6.2.1/§6.2.2) → registration data. Pure:
 * query parameters and the link-format payload in, validated values out, CoapRequestError
 * (4.00 bad parameter, 4.12 unsupported LwM2M version, 4.15 payload not link-format) otherwise.
 */
import { attributeValue, parseLinks } from '../../objects/codecs/link-format';
import { ContentFormat } from '../../objects/content-format';
import type { Link } from '../../objects/link';
import { CoapRequestError } from '../errors/coap-request-error';

/** LwM2M versions this server accepts. */
export const SUPPORTED_VERSIONS: readonly string[] = ['1.0', '1.1', '1.2'];
export const DEFAULT_LIFETIME = 86400;
const MAX_LIFETIME = 0xffffffff;
const MAX_ENDPOINT_LENGTH = 255;
const BINDING = /^[UMHTSNQ]+$/;
/** Parameters with a meaning; anything else is an "additional registration attribute". */
const KNOWN = new Set(['ep', 'lt', 'lwm2m', 'b', 'Q', 'sms', 'd']);

/** One query parameter; null value = given without "=". */
export type QueryParam = readonly [string, string | null];

export interface RegisterParams {
  readonly endpoint: string;
  readonly lifetime: number;
  readonly lwM2mVersion: string;
  readonly bindingMode: string;
  readonly queuemode: boolean;
  readonly smsNumber?: string;
  readonly additionalAttributes: Record<string, string>;
  readonly links: ObjectLinksInfo;
}

export interface UpdateParams {
  readonly lifetime?: number;
  readonly bindingMode?: string;
  readonly queuemode?: boolean;
  readonly smsNumber?: string;
  readonly links?: ObjectLinksInfo;
}

export interface ObjectLinksInfo {
  readonly objectLinks: Link[];
  readonly rootPath: string;
  readonly availableInstances: Record<string, number[]>;
  readonly supportedContentFormats?: number[];
}

/** Split raw Uri-Query values into name/value pairs, percent-decoding where valid. */
export function parseQuery(values: readonly string[]): QueryParam[] {
  return values.map((v) => {
    const eq = v.indexOf('=');
    return eq < 0 ? [decode(v), null] as const : [decode(v.slice(0, eq)), decode(v.slice(eq + 1))] as const;
  });
}

function decode(s: string): string {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function single(q: readonly QueryParam[], name: string): string | null | undefined {
  const all = q.filter(([k]) => k === name);
  if (all.length > 1) throw CoapRequestError.badRequest(`Parameter ${name} given more than once`);
  return all.length ? all[0][1] : undefined;
}

function valued(q: readonly QueryParam[], name: string): string | undefined {
  const v = single(q, name);
  if (v === null) throw CoapRequestError.badRequest(`Parameter ${name} needs a value`);
  return v;
}

export function parseLifetime(text: string): number {
  if (!/^\d{1,10}$/.test(text)) throw CoapRequestError.badRequest(`Invalid lifetime lt=${text}`);
  const lt = Number(text);
  if (lt < 1 || lt > MAX_LIFETIME) throw CoapRequestError.badRequest(`Invalid lifetime lt=${text}`);
  return lt;
}

function parseBinding(text: string, version: string): { binding: string; queue: boolean } {
  if (!BINDING.test(text)) throw CoapRequestError.badRequest(`Invalid binding b=${text}`);
  // 1.0 says queue mode inside the binding ("UQ"); 1.1 has a separate Q parameter.
  const queue = version === '1.0' && text.includes('Q');
  return { binding: text.replace(/Q/g, '') || 'U', queue };
}

/** Check the endpoint name: present, printable, not too long. */
export function checkEndpoint(ep: string | undefined): string {
  if (ep === undefined || ep === '') throw CoapRequestError.badRequest('Missing endpoint name (ep)');
  if (ep.length > MAX_ENDPOINT_LENGTH) throw CoapRequestError.badRequest('Endpoint name longer than 255 characters');
  if (/[\u0000-\u001f\u007f]/.test(ep)) throw CoapRequestError.badRequest('Endpoint name contains control characters');
  return ep;
}

/** Register: POST /rd?ep=…&lt=…&lwm2m=…&b=…[&Q][&sms=…] with the object links. */
export function parseRegister(query: readonly QueryParam[], contentFormat: number | undefined, payload: Buffer): RegisterParams {
  const endpoint = checkEndpoint(valued(query, 'ep'));
  const version = valued(query, 'lwm2m') ?? '1.0';
  if (!SUPPORTED_VERSIONS.includes(version)) {
    throw CoapRequestError.preconditionFailed(`Unsupported LwM2M version ${version} (supported: ${SUPPORTED_VERSIONS.join(', ')})`);
  }
  const lt = valued(query, 'lt');
  const lifetime = lt === undefined ? DEFAULT_LIFETIME : parseLifetime(lt);
  const { binding, queue } = parseBinding(valued(query, 'b') ?? 'U', version);
  const q = single(query, 'Q');
  if (q !== undefined && q !== null) throw CoapRequestError.badRequest('Parameter Q takes no value');
  const sms = valued(query, 'sms');
  const additionalAttributes: Record<string, string> = {};
  for (const [k, v] of query) if (!KNOWN.has(k)) additionalAttributes[k] = v ?? '';
  if (payload.length === 0) throw CoapRequestError.badRequest('Register without object links');
  return {
    endpoint, lifetime, lwM2mVersion: version, bindingMode: binding,
    queuemode: queue || (q === null && version !== '1.0'),
    smsNumber: sms, additionalAttributes, links: parseObjectLinks(contentFormat, payload),
  };
}

/** Update: POST /rd/{id}[?lt=…&b=…&sms=…] with optional new object links. */
export function parseUpdate(query: readonly QueryParam[], contentFormat: number | undefined, payload: Buffer, version: string): UpdateParams {
  for (const [k] of query) {
    if (!['lt', 'b', 'sms', 'Q'].includes(k)) throw CoapRequestError.badRequest(`Parameter ${k} is not allowed in Update`);
  }
  const lt = valued(query, 'lt');
  const b = valued(query, 'b');
  const q = single(query, 'Q');
  const binding = b === undefined ? undefined : parseBinding(b, version);
  const queuemode = binding?.queue || q === null ? true : b !== undefined && version === '1.0' ? false : undefined;
  return {
    lifetime: lt === undefined ? undefined : parseLifetime(lt),
    bindingMode: binding?.binding,
    queuemode,
    smsNumber: valued(query, 'sms'),
    links: payload.length ? parseObjectLinks(contentFormat, payload) : undefined,
  };
}

/** The object links of Register/Update: rootPath from rt="oma.lwm2m", instances, ct=. */
export function parseObjectLinks(contentFormat: number | undefined, payload: Buffer): ObjectLinksInfo {
  if (contentFormat !== undefined && contentFormat !== ContentFormat.LINK) {
    throw CoapRequestError.unsupportedFormat(`Object links must be application/link-format (40), not ${contentFormat}`);
  }
  let links: Link[];
  try {
    links = parseLinks(payload.toString('utf8'));
  } catch (e) {
    throw CoapRequestError.badRequest(`Invalid object links: ${(e as Error).message}`);
  }
  const root = links.find((l) => attributeValue(l, 'rt') === 'oma.lwm2m');
  const rootPath = root ? (root.url.endsWith('/') ? root.url : `${root.url}/`) : '/';
  let supportedContentFormats: number[] | undefined;
  const ct = root ? attributeValue(root, 'ct') : undefined;
  if (typeof ct === 'string') {
    const parts = ct.split(/\s+/).filter((s) => s !== '');
    if (!parts.every((p) => /^\d{1,5}$/.test(p))) throw CoapRequestError.badRequest(`Invalid ct=${ct} in the root link`);
    supportedContentFormats = parts.map(Number);
  }
  const availableInstances: Record<string, number[]> = {};
  for (const l of links) {
    if (l === root || !l.url.startsWith(rootPath)) continue;
    const parts = l.url.slice(rootPath.length).split('/');
    if (!parts.every((p) => /^\d{1,5}$/.test(p)) || parts.length > 2 || Number(parts[0]) > 65534) {
      throw CoapRequestError.badRequest(`Invalid object link <${l.url}>`);
    }
    const list = (availableInstances[parts[0]] ??= []);
    if (parts.length === 2 && !list.includes(Number(parts[1]))) list.push(Number(parts[1]));
  }
  return { objectLinks: links, rootPath, availableInstances, supportedContentFormats };
}
