/**
 * Parses the arguments of dgram.Socket.send, whose overloads node-coap relies on:
 *   send(msg, port?, address?, callback?)
 *   send(msg, offset, length, port?, address?, callback?)
 * `msg` may be a Buffer, a Uint8Array, a string, or an array of those. Pure.
 */
import { DtlsError } from './errors';

export type SendCallback = (error: Error | null, bytes?: number) => void;

export interface SendArgs {
  readonly data: Buffer;
  readonly port: number | undefined;
  readonly address: string | undefined;
  readonly callback: SendCallback | undefined;
}

type Chunk = Buffer | Uint8Array | string;

function toBuffer(chunk: Chunk): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk);
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new DtlsError('write', 'send(): the message must be a Buffer, a Uint8Array or a string');
}

export function parseSendArgs(args: readonly unknown[]): SendArgs {
  const [msg, ...rest] = args;
  let data = Array.isArray(msg) ? Buffer.concat((msg as Chunk[]).map(toBuffer)) : toBuffer(msg as Chunk);
  let i = 0;
  // offset + length form: two numbers followed by a port (number) or nothing port-like.
  if (typeof rest[0] === 'number' && typeof rest[1] === 'number' && typeof rest[2] !== 'string' && !Array.isArray(msg)) {
    const offset = rest[0];
    const length = rest[1];
    if (offset < 0 || length < 0 || offset + length > data.length) {
      throw new DtlsError('write', `send(): offset ${offset} and length ${length} exceed the ${data.length}-byte message`);
    }
    data = data.subarray(offset, offset + length);
    i = 2;
  }
  let port: number | undefined;
  let address: string | undefined;
  let callback: SendCallback | undefined;
  if (typeof rest[i] === 'number') port = rest[i++] as number;
  if (typeof rest[i] === 'string') address = rest[i++] as string;
  else if (rest[i] === undefined || rest[i] === null) {
    if (typeof rest[i + 1] === 'function') i++;
  }
  if (typeof rest[i] === 'function') callback = rest[i] as SendCallback;
  return { data, port, address, callback };
}

/**
 * A send queued behind a DTLS handshake fails later (the handshake failed, the client was
 * closed). node-coap drops the error listeners of a request it has given up on, so its sender
 * would throw that error out of a timer: a failure that concerns nobody any more. The wrapped
 * callback drops exactly that error (and rethrows anything else).
 */
export function guardSendCallback<C extends (error: Error | null, bytes?: number) => void>(callback: C): C {
  return ((err: Error | null, bytes?: number) => {
    try {
      callback(err, bytes);
    } catch (e) {
      // EventEmitter throws the error itself, or wraps it (ERR_UNHANDLED_ERROR) when it is from another realm.
      if (e !== err && (e as { context?: unknown }).context !== err) throw e;
    }
  }) as C;
}
