/** Route paths of the provider API, shared by servers and clients. */
export const API_BASE = '/api/v1/transfer';
export const Routes = {
  updateInfoList: `${API_BASE}/update-info-list`,
  transferMessage: `${API_BASE}/transfer-message`,
  trustAnchors: (id: string) => `${API_BASE}/transfers/${encodeURIComponent(id)}/trust-anchors`,
  arrivals: `${API_BASE}/arrivals`,
  transferMessageOf: (id: string) => `${API_BASE}/transfers/${encodeURIComponent(id)}/transfer-message`,
  arrivalOf: (id: string, deviceId: string) => `${API_BASE}/transfers/${encodeURIComponent(id)}/arrivals/${encodeURIComponent(deviceId)}`,
} as const;
export const CWT_TYPE = 'application/cwt';
export const JOSE_TYPE = 'application/jose';
