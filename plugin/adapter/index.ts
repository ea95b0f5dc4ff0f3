/** The plugin's door to a device-management stack: the DmAdapter contract and its two implementations. */
export type { DmAdapter, AdapterRegistration, AdapterCertificate, AdapterEvent, AdapterListener, RequestOptions } from './dm-adapter';
export { LocalServerAdapter } from './local-server-adapter';
export type { LocalServerAdapterOptions, LocalServer } from './local-server-adapter';
export { LeshanAdapter, registrationFromLeshanJson } from './leshan-adapter';
export type { LeshanAdapterOptions } from './leshan-adapter';
export { AdapterError, DeviceNotRegisteredError, DeviceSleepingError, DeviceRefusedError, DeviceTimeoutError } from './errors';
