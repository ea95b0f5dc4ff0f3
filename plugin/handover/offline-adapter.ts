/**
 * The DmAdapter of the provider roles when a command works on the providers' records only (the
 * file exchange of steps 1–3: `sp1 devices add|export|accept`, `sp2 import|transfer-message`):
 * those never reach a device, and must work while the DM server is down or run by another
 * process (`serve`). Any device request is refused with an AdapterError saying so; no events.
 */
import type { LwM2mNode } from '../../objects/node';
import type { AdapterRegistration, DmAdapter } from '../adapter/dm-adapter';
import { AdapterError } from '../adapter/errors';

export class OfflineAdapter implements DmAdapter {
  constructor(private readonly why = 'this command does not talk to devices (the provider service does)') {}

  private refuse(what: string): Promise<never> {
    return Promise.reject(new AdapterError(`${what}: ${this.why}`));
  }

  registration(ep: string): Promise<AdapterRegistration | undefined> { return this.refuse(`registration of "${ep}"`); }
  read(ep: string, path: string): Promise<LwM2mNode> { return this.refuse(`read ${path} of "${ep}"`); }
  write(ep: string, path: string): Promise<void> { return this.refuse(`write ${path} of "${ep}"`); }
  execute(ep: string, path: string): Promise<void> { return this.refuse(`execute ${path} of "${ep}"`); }
  create(ep: string, path: string): Promise<void> { return this.refuse(`create under ${path} of "${ep}"`); }
  delete(ep: string, path: string): Promise<void> { return this.refuse(`delete ${path} of "${ep}"`); }
  on(): () => void { return () => undefined; }
  async close(): Promise<void> { /* holds nothing */ }
}
