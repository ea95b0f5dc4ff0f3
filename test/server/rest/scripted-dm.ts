/**
 * A DeviceManagement for HTTP-layer tests: registrations and security infos held in memory, a
 * real EventEmitter for events, and `send` answered by a per-test script, so each server-side
 * outcome (device error, timeout, sleeping client, rejection) can be produced on demand. The
 * real LwM2mServer is exercised in integration.test.ts.
 */
import { EventEmitter } from 'node:events';
import { HandoverError } from '../../../common/errors';
import { standardModels } from '../../../objects/ddf-loader';
import type { ModelProvider } from '../../../objects/model';
import type { ServerEvents } from '../../../server/events';
import type { Registration } from '../../../server/registration';
import type { DelayedResponse, DownlinkRequest, LwM2mResponse } from '../../../server/requests';
import type { ClientSecurityInfo, DeviceManagement } from '../../../server/rest/device-management';

export type Script = (ep: string, req: DownlinkRequest, opts?: { timeoutMs?: number }) => Promise<LwM2mResponse | DelayedResponse>;

export class TypedEvents extends EventEmitter {
  emitEvent<K extends keyof ServerEvents>(name: K, payload: ServerEvents[K]): void {
    this.emit(name, payload);
  }
}

export function registration(ep: string, over: Partial<Registration> = {}): Registration {
  return {
    endpoint: ep, registrationId: `reg-${ep}`, registrationDate: 1700000000000, lastUpdate: 1700000001000,
    address: '127.0.0.1:56830', lwM2mVersion: '1.1', lifetime: 300, bindingMode: 'U', rootPath: '/',
    objectLinks: [{ url: '/3/0', attributes: {} }], secure: false, additionalRegistrationAttributes: {},
    queuemode: false, availableInstances: { '3': [0] }, ...over,
  };
}

export class ScriptedDeviceManagement implements DeviceManagement {
  readonly coapPort = 5683;
  readonly regs = new Map<string, Registration>();
  readonly infos = new Map<string, ClientSecurityInfo>();
  readonly events = new TypedEvents();
  readonly sent: Array<{ ep: string; req: DownlinkRequest; timeoutMs?: number }> = [];
  script: Script = async () => ({ code: '2.04' });
  readonly models: ModelProvider = standardModels();

  readonly registrations = {
    all: async () => [...this.regs.values()],
    get: async (ep: string) => this.regs.get(ep),
  };

  readonly security = {
    get: (ep: string) => this.infos.get(ep),
    getAll: () => [...this.infos.values()],
    put: (info: ClientSecurityInfo) => {
      for (const other of this.infos.values()) {
        if (other.endpoint !== info.endpoint && other.mode === 'psk' && info.mode === 'psk' && other.identity === info.identity) {
          throw new HandoverError('ERR_INVALID_INPUT', `PSK identity ${info.identity} is already used by ${other.endpoint}`);
        }
      }
      this.infos.set(info.endpoint, info);
    },
    remove: (ep: string) => this.infos.delete(ep),
  };

  async send(ep: string, req: DownlinkRequest, opts?: { timeoutMs?: number }): Promise<LwM2mResponse | DelayedResponse> {
    this.sent.push({ ep, req, timeoutMs: opts?.timeoutMs });
    return this.script(ep, req, opts);
  }

  modelsFor(): ModelProvider {
    return this.models;
  }
}
