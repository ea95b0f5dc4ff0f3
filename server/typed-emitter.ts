/**
 * A typed EventEmitter over an event map, as the server's `events` is typed by ServerEvents.
 * `has(name)` lets emitters skip building payloads nobody listens to (COAPLOG).
 */
import { EventEmitter } from 'node:events';

export class TypedEmitter<Events extends object> {
  private readonly inner = new EventEmitter();

  constructor() {
    this.inner.setMaxListeners(0);
  }

  on<K extends keyof Events & string>(name: K, listener: (payload: Events[K]) => void): this {
    this.inner.on(name, listener);
    return this;
  }

  once<K extends keyof Events & string>(name: K, listener: (payload: Events[K]) => void): this {
    this.inner.once(name, listener);
    return this;
  }

  off<K extends keyof Events & string>(name: K, listener: (payload: Events[K]) => void): this {
    this.inner.off(name, listener);
    return this;
  }

  emit<K extends keyof Events & string>(name: K, payload: Events[K]): void {
    this.inner.emit(name, payload);
  }

  has(name: keyof Events & string): boolean {
    return this.inner.listenerCount(name) > 0;
  }

  listenerCount(name: keyof Events & string): number {
    return this.inner.listenerCount(name);
  }

  removeAllListeners(): void {
    this.inner.removeAllListeners();
  }
}
