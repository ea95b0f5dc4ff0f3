/** The authenticated HTTP API between the two providers: servers for SP1 and SP2, and their clients. */
export { HttpApi } from './http-api';
export type { HttpApiOptions, Route, ApiRequest, ApiResponse } from './http-api';
export { createSp1Api } from './sp1-api';
export { createSp2Api } from './sp2-api';
export { Sp1ApiClient, Sp2ApiClient, ProviderApiError } from './clients';
export type { ProviderApiClientOptions } from './clients';
export { Routes, API_BASE, CWT_TYPE, JOSE_TYPE } from './routes';
