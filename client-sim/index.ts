/**
 * The public API of the simulated LwM2M device side. Everything other modules (the demo, the
 * benchmarks, the device halves of the handover protocols, the DTLS transport, the SUIT
 * processor) may use is listed here; the rest of client-sim/ is internal.
 */
export { LwM2mClient } from './client';
export type { LwM2mClientOptions, ClientEvents, ClientSecurity, RejoinAccount } from './client-options';
export { Fleet } from './fleet';
export type { FleetOptions, FleetStats } from './fleet';
export type { DatagramSocket, RemoteInfo } from './datagram-socket';
export type { ObjectEnabler, Caller, WriteMode, ChangeListener } from './object-enabler';
export { DEVICE, BOOTSTRAP } from './object-enabler';
export { ModelObjectEnabler } from './model-object-enabler';
export type { ModelObjectEnablerOptions, ResourceHooks, InstanceValues } from './model-object-enabler';
export type { ExecuteArgs } from './execute-args';
export { OperationError, RegistrationError, BootstrapError, StateFileError } from './errors';
export { FirmwareState, FirmwareUpdateResult, FirmwareUpdateError } from './objects/firmware-update';
export type { FirmwareUpdateHandler, FirmwareInstalled } from './objects/firmware-update';
export type { DeviceInfo } from './objects/device';
export { SecurityMode } from './objects/security';
export type { LwM2mVersion } from './formats';
