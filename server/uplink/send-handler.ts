/**
 * Send (LwM2M 1.1 Core §6.4.5, Transport §6.4.6): the client POSTs /dp with timestamped values
 * in SenML-JSON, SenML-CBOR or LwM2M-CBOR; emitted as a SEND event. Only a registered client
 * may send, from the address and identity it registered with.
 */
import { codecFor } from '../../objects/codecs/index';
import type { TimestampedNode } from '../../objects/node';
import { CoapRequestError } from '../errors/coap-request-error';
import type { Registration } from '../registration';
import type { ServerContext } from '../server-context';

export function decodeSend(ctx: ServerContext, reg: Registration | undefined, contentFormat: number | undefined, payload: Buffer): Map<string, TimestampedNode[]> {
  if (!reg) throw CoapRequestError.notFound('Send from a client that is not registered');
  if (reg.lwM2mVersion === '1.0') throw CoapRequestError.badRequest('Send needs LwM2M 1.1 or later');
  if (contentFormat === undefined) throw CoapRequestError.badRequest('Send without Content-Format');
  let codec;
  try {
    codec = codecFor(contentFormat);
  } catch {
    codec = undefined;
  }
  if (!codec?.decodeTimestamped) throw CoapRequestError.unsupportedFormat(`Send in content format ${contentFormat} is not supported`);
  try {
    return codec.decodeTimestamped(payload, ctx.models);
  } catch (e) {
    throw CoapRequestError.badRequest(`Invalid Send payload: ${(e as Error).message}`);
  }
}
