/**
 * The file an SP1 operator registers fleet devices from (`handover sp1 devices add FILE`): a
 * JSON array, one object per device:
 *
 *   { "deviceId": "urn:dev:0001",              optional: default the factory certificate's serialNumber (or CN)
 *     "factoryCertificate": "-----BEGIN CERTIFICATE-----…",   PEM (or base64 DER)
 *     "operationalSerial": "5f3a…",            optional: hex serial of its CA1 certificate (revoked after the transfer)
 *     "suitSequenceNumber": 1, "suitReferenceUri": "coaps://fw.sp1.example/fw/current.suit",
 *     "updateTimeNotBefore": "2025-01-01T00:00:00Z", "updateTimeNotAfter": 1767225600 }
 *                                              optional: ISO 8601 or NumericDate; default now .. now + 30 days
 *
 * Pure: every entry is checked as SP1 will check it (the UpdateInfoList rules, the id the
 * certificate names, hex serial, no id twice) before anything is written.
 */
import { X509Certificate } from 'node:crypto';
import { InvalidInputError } from '../../common/errors';
import { pemToDer } from '../../common/pki/index';
import { certificateDeviceId } from '../messages/evidence';
import { encodeUpdateInfoList } from '../messages/update-info-list';
import type { FleetDevice } from '../roles/index';

const FIELDS = ['deviceId', 'factoryCertificate', 'operationalSerial', 'suitSequenceNumber', 'suitReferenceUri', 'updateTimeNotBefore', 'updateTimeNotAfter'];
const DEFAULT_WINDOW_S = 30 * 86_400;

function certificateOf(v: unknown, where: string): Uint8Array {
  if (typeof v !== 'string' || v.trim() === '') throw new InvalidInputError(`${where}.factoryCertificate must be a PEM certificate (or base64 DER)`);
  const der = v.includes('-----BEGIN') ? pemToDer(v, 'CERTIFICATE')[0] : Buffer.from(v.replace(/\s+/g, ''), 'base64');
  if (!der || der.length === 0) throw new InvalidInputError(`${where}.factoryCertificate holds no certificate`);
  try { new X509Certificate(der); } catch { throw new InvalidInputError(`${where}.factoryCertificate is not a valid X.509 certificate`); }
  return new Uint8Array(der);
}

function timeOf(v: unknown, where: string, def: number): number {
  if (v === undefined) return def;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v) && !Number.isNaN(Date.parse(v))) return Math.floor(Date.parse(v) / 1000);
  throw new InvalidInputError(`${where} must be an ISO 8601 time or a NumericDate (seconds)`);
}

/** Parse and check a fleet file; `nowS` (seconds) anchors the default update window. */
export function parseFleetFile(text: string, file: string, nowS = Math.floor(Date.now() / 1000)): FleetDevice[] {
  let json: unknown;
  try { json = JSON.parse(text); } catch (e) { throw new InvalidInputError(`${file}: not valid JSON: ${(e as Error).message}`); }
  if (!Array.isArray(json) || json.length === 0) throw new InvalidInputError(`${file}: must be a non-empty JSON array of devices`);
  const devices = json.map((entry, i): FleetDevice => {
    const where = `${file}: device ${i + 1}`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new InvalidInputError(`${where} must be a JSON object`);
    const o = entry as Record<string, unknown>;
    const unknown = Object.keys(o).find((k) => !FIELDS.includes(k));
    if (unknown) throw new InvalidInputError(`${where} has an unknown field "${unknown}"`);
    const factoryCertificate = certificateOf(o.factoryCertificate, where);
    const named = certificateDeviceId(factoryCertificate);
    if (o.deviceId !== undefined && (typeof o.deviceId !== 'string' || o.deviceId === '')) throw new InvalidInputError(`${where}.deviceId must be a non-empty string`);
    const deviceId = (o.deviceId as string | undefined) ?? named;
    if (!deviceId) throw new InvalidInputError(`${where}: the factory certificate names no device (serialNumber or CN): give deviceId`);
    if (deviceId !== named) throw new InvalidInputError(`${where}: deviceId "${deviceId}" but its factory certificate names "${named}"`);
    if (o.operationalSerial !== undefined && (typeof o.operationalSerial !== 'string' || !/^[0-9a-fA-F]{1,64}$/.test(o.operationalSerial))) {
      throw new InvalidInputError(`${where}.operationalSerial must be a hex serial number`);
    }
    if (typeof o.suitSequenceNumber !== 'number' || !Number.isSafeInteger(o.suitSequenceNumber) || o.suitSequenceNumber < 0) throw new InvalidInputError(`${where}.suitSequenceNumber must be an integer >= 0`);
    if (typeof o.suitReferenceUri !== 'string') throw new InvalidInputError(`${where}.suitReferenceUri must be a URI`);
    const updateTimeNotBefore = timeOf(o.updateTimeNotBefore, `${where}.updateTimeNotBefore`, nowS);
    const updateTimeNotAfter = timeOf(o.updateTimeNotAfter, `${where}.updateTimeNotAfter`, updateTimeNotBefore + DEFAULT_WINDOW_S);
    const d: FleetDevice = {
      deviceId, factoryCertificate, updateTimeNotBefore, updateTimeNotAfter, suitSequenceNumber: o.suitSequenceNumber, suitReferenceUri: o.suitReferenceUri,
      ...(o.operationalSerial !== undefined ? { operationalSerial: (o.operationalSerial as string).toLowerCase() } : {}),
    };
    try {
      encodeUpdateInfoList([d]);
    } catch (e) {
      throw new InvalidInputError(`${where}: ${(e as Error).message.replace(/^device 0:?\s*/, '')}`, { cause: e });
    }
    return d;
  });
  const seen = new Set<string>();
  for (const d of devices) {
    if (seen.has(d.deviceId)) throw new InvalidInputError(`${file}: device "${d.deviceId}" is listed twice`);
    seen.add(d.deviceId);
  }
  return devices;
}
