/**
 * The server-sent event stream of /api/event: one subscriber per open response, filtered by
 * `ep` when given. Events are serialised once per event, not per subscriber. COAPLOG is relayed
 * only while some subscriber asked for it (`coaplog=1`): the hub listens to COAPLOG only then,
 * so the LwM2M server can skip building message logs nobody reads. A heartbeat comment keeps
 * proxies from closing idle streams; a subscriber that stops reading is dropped once its
 * buffered backlog passes a limit, so a slow client cannot grow the server's memory.
 */
import type { ServerResponse } from 'node:http';
import type { ServerEvents } from '../events';
import type { ServerEventSource } from './device-management';
import { EVENT_NAMES, eventToJson } from './event-json';

export interface EventHubOptions {
  /** Heartbeat comment interval, ms. Default 15000. */
  heartbeatMs?: number;
  /** Bytes buffered for one subscriber before it is dropped. Default 1 MiB. */
  maxBufferedBytes?: number;
}

interface Subscriber {
  readonly res: ServerResponse;
  readonly ep?: string;
  readonly coaplog: boolean;
}

type Listener = (payload: never) => void;

export class EventHub {
  private readonly subscribers = new Set<Subscriber>();
  private readonly listeners = new Map<keyof ServerEvents, Listener>();
  private coaplogListener?: Listener;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly maxBuffered: number;
  private closed = false;

  constructor(private readonly events: ServerEventSource, private readonly isSleeping: (ep: string) => boolean, opts: EventHubOptions = {}) {
    this.maxBuffered = opts.maxBufferedBytes ?? 1024 * 1024;
    for (const name of EVENT_NAMES) {
      if (name === 'COAPLOG') continue;
      const l = this.relay(name);
      this.listeners.set(name, l);
      events.on(name, l as (p: ServerEvents[typeof name]) => void);
    }
    this.heartbeat = setInterval(() => this.broadcast(': heartbeat\n\n'), opts.heartbeatMs ?? 15000);
    this.heartbeat.unref();
  }

  /** Number of open streams. */
  get size(): number {
    return this.subscribers.size;
  }

  /** True while COAPLOG events are being listened to. */
  get relayingCoapLog(): boolean {
    return this.coaplogListener !== undefined;
  }

  /** Turn `res` into an event stream; it stays open until the client goes or the hub closes. */
  subscribe(res: ServerResponse, filter: { ep?: string; coaplog?: boolean } = {}): void {
    if (this.closed) {
      res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Server stopping');
      return;
    }
    const sub: Subscriber = { res, ep: filter.ep, coaplog: filter.coaplog ?? false };
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.socket?.setNoDelay(true);
    res.socket?.setTimeout(0);
    res.write(': connected\n\n');
    this.subscribers.add(sub);
    this.updateCoapLog();
    const drop = () => this.remove(sub);
    res.once('close', drop);
    res.once('error', drop);
  }

  /** End every stream and stop listening. */
  close(): void {
    this.closed = true;
    clearInterval(this.heartbeat);
    for (const [name, l] of this.listeners) this.events.off(name, l as (p: ServerEvents[typeof name]) => void);
    this.listeners.clear();
    for (const sub of [...this.subscribers]) {
      sub.res.end();
      this.remove(sub);
    }
  }

  private relay<K extends keyof ServerEvents>(name: K): (payload: ServerEvents[K]) => void {
    return (payload) => {
      if (this.subscribers.size === 0) return;
      let frame: string;
      let ep: string | undefined;
      try {
        const ev = eventToJson(name, payload, this.isSleeping);
        ep = ev.ep;
        frame = `event: ${name}\ndata: ${JSON.stringify(ev.data)}\n\n`;
      } catch {
        return; // an event we cannot represent is not worth breaking the emitter for
      }
      for (const sub of this.subscribers) {
        if (name === 'COAPLOG' && !sub.coaplog) continue;
        if (sub.ep !== undefined && sub.ep !== ep) continue;
        this.write(sub, frame);
      }
    };
  }

  private broadcast(text: string): void {
    for (const sub of this.subscribers) this.write(sub, text);
  }

  private write(sub: Subscriber, text: string): void {
    if (sub.res.writableEnded || sub.res.destroyed) {
      this.remove(sub);
      return;
    }
    if (sub.res.writableLength > this.maxBuffered) {
      sub.res.destroy();
      this.remove(sub);
      return;
    }
    sub.res.write(text);
  }

  private remove(sub: Subscriber): void {
    if (this.subscribers.delete(sub)) this.updateCoapLog();
  }

  private updateCoapLog(): void {
    const wanted = !this.closed && [...this.subscribers].some((s) => s.coaplog);
    if (wanted && !this.coaplogListener) {
      this.coaplogListener = this.relay('COAPLOG') as Listener;
      this.events.on('COAPLOG', this.coaplogListener as (p: ServerEvents['COAPLOG']) => void);
    } else if (!wanted && this.coaplogListener) {
      this.events.off('COAPLOG', this.coaplogListener as (p: ServerEvents['COAPLOG']) => void);
      this.coaplogListener = undefined;
    }
  }
}
