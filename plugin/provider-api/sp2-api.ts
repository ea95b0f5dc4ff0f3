/**
 * SP2's provider API, called by SP1 with the token SP2 gave it (the push direction of the same
 * exchange, for deployments where SP1 sends and SP2 serves):
 *   POST /api/v1/transfer/update-info-list  application/jose → 201 {transferId, devices}
 *   GET  /api/v1/transfer/transfers/:id/transfer-message     → 200 application/cwt, 404 not built yet
 *   GET  /api/v1/transfer/transfers/:id/arrivals/:deviceId   → 200 arrival JSON, 404 none
 */
import { HandoverError, InvalidInputError } from '../../common/errors';
import type { NewProvider } from '../roles/new-provider';
import { HttpApi, type HttpApiOptions } from './http-api';
import { API_BASE, CWT_TYPE, JOSE_TYPE, Routes } from './routes';

export function createSp2Api(sp2: NewProvider, opts: HttpApiOptions): HttpApi {
  return new HttpApi([
    {
      method: 'POST', path: Routes.updateInfoList,
      handle: async (req) => {
        if (req.contentType !== JOSE_TYPE && req.contentType !== 'text/plain') throw new InvalidInputError(`the UpdateInfoList must be sent as ${JOSE_TYPE}`);
        const t = await sp2.importUpdateInfoList(req.body.toString('utf8').trim());
        return { status: 201, json: { transferId: t.transferId, devices: t.devices.map((d) => d.deviceId) } };
      },
    },
    {
      method: 'GET', path: `${API_BASE}/transfers/:transferId/transfer-message`,
      handle: async (req) => {
        const t = await sp2.transfer(req.params.transferId);
        if (!t.transferMessage) throw new HandoverError('ERR_NOT_FOUND', 'the TransferMessage is not built yet');
        return { status: 200, bytes: t.transferMessage, contentType: CWT_TYPE };
      },
    },
    {
      method: 'GET', path: `${API_BASE}/transfers/:transferId/arrivals/:deviceId`,
      handle: async (req) => {
        const a = await sp2.arrival(req.params.deviceId);
        if (!a || a.transferId !== req.params.transferId) throw new HandoverError('ERR_NOT_FOUND', `no arrival of "${req.params.deviceId}" in transfer ${req.params.transferId}`);
        return { status: 200, json: a };
      },
    },
  ], opts);
}
