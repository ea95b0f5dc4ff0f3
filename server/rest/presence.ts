/**
 * Awake / sleeping state of queue-mode clients, as Leshan's presence service reports it in the
 * `sleeping` field of a registration: awake after Register, Update or an AWAKE event, asleep
 * after SLEEPING; a client this process has not seen since it started counts as asleep (no
 * request will reach it before it next speaks).
 */
import type { ServerEvents } from '../events';
import type { ServerEventSource } from './device-management';

export class PresenceTracker {
  private readonly awake = new Set<string>();
  private readonly onRegistration = (e: ServerEvents['REGISTRATION']) => { this.awake.add(e.registration.endpoint); };
  private readonly onUpdated = (e: ServerEvents['UPDATED']) => { this.awake.add(e.registration.endpoint); };
  private readonly onDeregistration = (e: ServerEvents['DEREGISTRATION']) => { this.awake.delete(e.registration.endpoint); };
  private readonly onAwake = (e: ServerEvents['AWAKE']) => { this.awake.add(e.ep); };
  private readonly onSleeping = (e: ServerEvents['SLEEPING']) => { this.awake.delete(e.ep); };

  constructor(private readonly events: ServerEventSource) {
    events.on('REGISTRATION', this.onRegistration);
    events.on('UPDATED', this.onUpdated);
    events.on('DEREGISTRATION', this.onDeregistration);
    events.on('AWAKE', this.onAwake);
    events.on('SLEEPING', this.onSleeping);
  }

  isSleeping(ep: string): boolean {
    return !this.awake.has(ep);
  }

  close(): void {
    this.events.off('REGISTRATION', this.onRegistration);
    this.events.off('UPDATED', this.onUpdated);
    this.events.off('DEREGISTRATION', this.onDeregistration);
    this.events.off('AWAKE', this.onAwake);
    this.events.off('SLEEPING', this.onSleeping);
  }
}
