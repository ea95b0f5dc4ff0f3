/**
 * A server-sent events client (the WHATWG event-stream format) over node:http(s) with a bearer
 * token: dispatches (event, data) for each complete event, ignores comments (heartbeats),
 * reconnects with a growing delay after the stream drops, until closed. `ready()` resolves when
 * a stream is open (events are not lost between ready() and the first request the caller makes).
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { AdapterError } from './errors';

export interface SseClientOptions {
  readonly url: string;
  readonly token: string;
  readonly onEvent: (event: string, data: string) => void;
  /** First reconnect delay, ms (doubles up to 30 s). Default 500. */
  readonly retryMs?: number;
  readonly log?: (line: string) => void;
}

export class SseClient {
  private req?: http.ClientRequest;
  private closed = false;
  private delay: number;
  private timer?: NodeJS.Timeout;
  private opened!: () => void;
  private failed!: (e: Error) => void;
  private readonly firstOpen: Promise<void>;

  constructor(private readonly opts: SseClientOptions) {
    this.delay = opts.retryMs ?? 500;
    this.firstOpen = new Promise((ok, fail) => { this.opened = ok; this.failed = fail; });
    this.firstOpen.catch(() => undefined);
    this.connect();
  }

  /** Resolves when the first stream is open; rejects if it is refused (401, 404...). */
  ready(): Promise<void> {
    return this.firstOpen;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.req?.destroy();
  }

  private connect(): void {
    if (this.closed) return;
    const url = new URL(this.opts.url);
    const lib = url.protocol === 'https:' ? https : http;
    const req = lib.get(url, { headers: { Accept: 'text/event-stream', Authorization: `Bearer ${this.opts.token}` } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        const e = new AdapterError(`event stream ${url.pathname}: HTTP ${res.statusCode}`);
        this.failed(e);
        if (res.statusCode === 401 || res.statusCode === 403 || res.statusCode === 404) { this.closed = true; return; }
        this.retry(e);
        return;
      }
      this.delay = this.opts.retryMs ?? 500;
      this.opened();
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk: string) => {
        buffer += chunk.replace(/\r\n?/g, '\n');
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          this.dispatch(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      });
      res.on('end', () => this.retry(new AdapterError('event stream ended')));
      res.on('error', (e) => this.retry(e));
    });
    req.on('error', (e) => { this.failed(e); this.retry(e); });
    this.req = req;
  }

  private dispatch(block: string): void {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const i = line.indexOf(':');
      const field = i < 0 ? line : line.slice(0, i);
      const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length === 0) return;
    try { this.opts.onEvent(event, data.join('\n')); } catch (e) { this.opts.log?.(`event ${event}: ${(e as Error).message}`); }
  }

  private retry(e: Error): void {
    if (this.closed) return;
    this.opts.log?.(`event stream: ${e.message}; reconnecting in ${this.delay} ms`);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), this.delay);
    this.timer.unref();
    this.delay = Math.min(this.delay * 2, 30_000);
  }
}
