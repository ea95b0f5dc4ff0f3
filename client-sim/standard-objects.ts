/**
 * The standard objects every simulated device has (0 Security, 1 Server, 3 Device, 5 Firmware
 * Update), built from the models and the client's options: the factory state that Factory Reset
 * returns to.
 */
import { sharedStandardModels } from './shared-models';
import type { ModelProvider, ObjectModel } from '../objects/model';
import { InvalidInputError } from '../common/errors';
import type { LwM2mClientOptions } from './client-options';
import type { ModelObjectEnabler } from './model-object-enabler';
import { deviceObject } from './objects/device';
import { firmwareUpdateObject, type FirmwareInstalledListener } from './objects/firmware-update';
import { securityObject, type SecurityAccountInit } from './objects/security';
import { securityResources } from './security-credentials';
import { serverObject, type ServerObjectActions } from './objects/server';
import type { DeviceActions } from './objects/device';

/** Short Server ID of the factory DM account. */
export const FACTORY_SHORT_SERVER_ID = 1;

export interface StandardActions extends ServerObjectActions, DeviceActions {
  firmwareInstalled: FirmwareInstalledListener;
}

export function buildStandardObjects(options: LwM2mClientOptions, actions: StandardActions): ModelObjectEnabler[] & { models: ModelProvider } {
  const models = options.models ?? sharedStandardModels();
  const model = (id: number): ObjectModel => {
    const m = models.getObject(id);
    if (!m) throw new InvalidInputError(`The models lack object ${id}`);
    return m;
  };
  const accounts: SecurityAccountInit[] = [];
  // A coaps:// factory account carries options.security; a coap:// one is NoSec.
  const keys = (uri: string) => (uri.startsWith('coaps:') && options.security ? securityResources(options.security) : {});
  if (options.bootstrapUri) accounts.push({ uri: options.bootstrapUri, bootstrap: true, ...keys(options.bootstrapUri) });
  if (options.serverUri) accounts.push({ uri: options.serverUri, bootstrap: false, shortServerId: FACTORY_SHORT_SERVER_ID, ...keys(options.serverUri) });
  const binding = 'U';
  const servers = options.serverUri ? [{ shortServerId: FACTORY_SHORT_SERVER_ID, lifetime: options.lifetime ?? 300, binding }] : [];
  const info = { manufacturer: 'Handover', modelNumber: 'simulated-device', serialNumber: options.endpoint, firmwareVersion: '1.0.0', ...options.device };
  const list = [
    securityObject(model(0), accounts),
    serverObject(model(1), servers, actions),
    deviceObject(model(3), info, options.queueMode ? 'UQ' : 'U', actions),
    firmwareUpdateObject(model(5), options.firmware, actions.firmwareInstalled),
  ];
  return Object.assign(list, { models });
}
