/**
 * SP1's provider API, called by SP2 with the token SP1 gave it:
 *   GET  /api/v1/transfer/update-info-list                 → 200 application/jose (the offered list), 404 none
 *   POST /api/v1/transfer/transfer-message   application/cwt → 201 {transferId, devices}
 *   PUT  /api/v1/transfer/transfers/:id/trust-anchors  JSON {anchors:[{certificate b64, purpose, label?}]} → 204
 *   POST /api/v1/transfer/arrivals  JSON {transferId, deviceId, certificateSerial} → 200 {duplicate, revoked}
 */
import { InvalidInputError } from '../../common/errors';
import type { OldProvider } from '../roles/old-provider';
import { anchorsFromJson } from '../roles/trust-anchors';
import { HttpApi, jsonBody, type HttpApiOptions } from './http-api';
import { API_BASE, CWT_TYPE, JOSE_TYPE, Routes } from './routes';

export function createSp1Api(sp1: OldProvider, opts: HttpApiOptions): HttpApi {
  return new HttpApi([
    {
      method: 'GET', path: Routes.updateInfoList,
      handle: async () => {
        const jws = await sp1.offer();
        return jws ? { status: 200, text: jws, contentType: JOSE_TYPE } : { status: 404, json: { error: 'ERR_NOT_FOUND', message: 'no UpdateInfoList exported yet' } };
      },
    },
    {
      method: 'POST', path: Routes.transferMessage,
      handle: async (req) => {
        if (req.contentType !== CWT_TYPE) throw new InvalidInputError(`the TransferMessage must be sent as ${CWT_TYPE}`);
        if (req.body.length === 0) throw new InvalidInputError('empty TransferMessage');
        const t = await sp1.acceptTransferMessage(new Uint8Array(req.body));
        return { status: 201, json: { transferId: t.transferId, devices: t.devices } };
      },
    },
    {
      method: 'PUT', path: `${API_BASE}/transfers/:transferId/trust-anchors`,
      handle: async (req) => {
        const body = jsonBody(req) as { anchors?: unknown };
        await sp1.setTrustAnchors(req.params.transferId, anchorsFromJson(body?.anchors));
        return { status: 204 };
      },
    },
    {
      method: 'POST', path: Routes.arrivals,
      handle: async (req) => {
        const b = jsonBody(req) as Record<string, unknown> | null;
        if (!b || typeof b !== 'object') throw new InvalidInputError('an arrival must be a JSON object');
        const r = await sp1.confirmArrival({ transferId: b.transferId as string, deviceId: b.deviceId as string, certificateSerial: b.certificateSerial as string });
        return { status: 200, json: r };
      },
    },
  ], opts);
}
