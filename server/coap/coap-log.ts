/**
 * COAPLOG entries (Leshan's CoAP message log): one per datagram in or out, with the type, the
 * code (method name for requests), message id, token, options and a printable payload.
 */
import type { ServerEvents } from '../events';
import { describeOptions, parseHeader, parseMessage } from './message';

const METHODS: Readonly<Record<string, string>> = {
  '0.01': 'GET', '0.02': 'POST', '0.03': 'PUT', '0.04': 'DELETE', '0.05': 'FETCH', '0.06': 'PATCH', '0.07': 'iPATCH',
};
const MAX_PAYLOAD_CHARS = 1024;

function printable(payload: Buffer): string {
  const text = payload.toString('utf8');
  const shown = /^[\t\n\r\x20-\x7e\u00a0-\uffff]*$/.test(text) && !text.includes('\ufffd') ? text : `0x${payload.toString('hex')}`;
  return shown.length > MAX_PAYLOAD_CHARS ? `${shown.slice(0, MAX_PAYLOAD_CHARS)}…` : shown;
}

export function coapLogEntry(incoming: boolean, datagram: Buffer, ep?: string, now = Date.now()): ServerEvents['COAPLOG'] {
  try {
    const m = parseMessage(datagram);
    return {
      timestamp: now, incoming, type: m.type, code: METHODS[m.code] ?? m.code, mId: m.messageId, token: m.token.toString('hex'),
      options: describeOptions(m.options),
      ...(m.payload.length ? { payload: printable(m.payload) } : {}),
      ...(ep !== undefined ? { ep } : {}),
    };
  } catch {
    const h = parseHeader(datagram);
    return {
      timestamp: now, incoming, type: h?.type ?? 'MALFORMED', code: h ? (METHODS[h.code] ?? h.code) : '', mId: h?.messageId ?? -1,
      token: h?.token.toString('hex') ?? '', options: '', payload: `malformed: 0x${datagram.subarray(0, 64).toString('hex')}`,
      ...(ep !== undefined ? { ep } : {}),
    };
  }
}
