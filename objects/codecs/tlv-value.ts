/**
 * Resource values in TLV's binary form (LwM2M 1.1 Core Appendix C "TLV Format"): integers and
 * time as 1/2/4/8-byte big-endian two's complement (unsigned integers unsigned), floats as
 * binary32 when exact else binary64, booleans one byte 0/1, object links two 16-bit ids,
 * strings UTF-8, opaque raw.
 */
import type { ResourceType } from '../model';
import type { ObjLink, ResourceValue } from '../node';
import { PayloadError } from '../errors';
import { checkValue, dateFromSeconds, secondsFromDate } from '../value';
import { decodeUtf8 } from './text';

/** A value of `type` as TLV value bytes. Throws PayloadError when it does not fit the type. */
export function tlvValueBytes(value: ResourceValue, type: ResourceType): Uint8Array {
  const v = checkValue(value, type);
  switch (type) {
    case 'STRING':
    case 'CORELNK':
      return new Uint8Array(Buffer.from(v as string, 'utf8'));
    case 'INTEGER':
      return signedBytes(v as bigint);
    case 'TIME':
      return signedBytes(secondsFromDate(v as Date));
    case 'UNSIGNED_INTEGER':
      return unsignedBytes(v as bigint);
    case 'FLOAT': {
      const n = v as number;
      const b = Buffer.alloc(Math.fround(n) === n || Number.isNaN(n) ? 4 : 8);
      if (b.length === 4) b.writeFloatBE(n);
      else b.writeDoubleBE(n);
      return new Uint8Array(b);
    }
    case 'BOOLEAN':
      return Uint8Array.of(v ? 1 : 0);
    case 'OPAQUE':
      return Uint8Array.from(v as Uint8Array);
    case 'OBJLNK': {
      const l = v as ObjLink;
      return Uint8Array.of(l.objectId >> 8, l.objectId & 0xff, l.instanceId >> 8, l.instanceId & 0xff);
    }
    case 'NONE':
      return new Uint8Array(0);
  }
}

/** TLV value bytes → a value of `type` (NONE is read as OPAQUE). Throws PayloadError. */
export function tlvValue(bytes: Uint8Array, type: ResourceType): ResourceValue {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  switch (type) {
    case 'STRING':
    case 'CORELNK':
      return decodeUtf8(bytes);
    case 'INTEGER':
      return readInteger(b, true, type);
    case 'UNSIGNED_INTEGER':
      return readInteger(b, false, type);
    case 'TIME':
      return dateFromSeconds(readInteger(b, true, type));
    case 'FLOAT':
      if (b.length === 4) return b.readFloatBE(0);
      if (b.length === 8) return b.readDoubleBE(0);
      throw new PayloadError(`A TLV FLOAT is 4 or 8 bytes, not ${b.length}`);
    case 'BOOLEAN':
      if (b.length === 1 && (b[0] === 0 || b[0] === 1)) return b[0] === 1;
      throw new PayloadError('A TLV BOOLEAN is one byte, 0 or 1');
    case 'OBJLNK':
      if (b.length !== 4) throw new PayloadError(`A TLV OBJLNK is 4 bytes, not ${b.length}`);
      return { objectId: b.readUInt16BE(0), instanceId: b.readUInt16BE(2) };
    case 'OPAQUE':
    case 'NONE':
      return Uint8Array.from(bytes);
  }
}

function readInteger(b: Buffer, signed: boolean, type: ResourceType): bigint {
  switch (b.length) {
    case 1: return BigInt(signed ? b.readInt8(0) : b.readUInt8(0));
    case 2: return BigInt(signed ? b.readInt16BE(0) : b.readUInt16BE(0));
    case 4: return BigInt(signed ? b.readInt32BE(0) : b.readUInt32BE(0));
    case 8: return signed ? b.readBigInt64BE(0) : b.readBigUInt64BE(0);
    default: throw new PayloadError(`A TLV ${type} is 1, 2, 4 or 8 bytes, not ${b.length}`);
  }
}

function signedBytes(n: bigint): Uint8Array {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(n);
  const size = n >= -128n && n <= 127n ? 1 : n >= -32768n && n <= 32767n ? 2 : n >= -(2n ** 31n) && n < 2n ** 31n ? 4 : 8;
  return new Uint8Array(b.subarray(8 - size));
}

function unsignedBytes(n: bigint): Uint8Array {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(n);
  const size = n <= 0xffn ? 1 : n <= 0xffffn ? 2 : n <= 0xffffffffn ? 4 : 8;
  return new Uint8Array(b.subarray(8 - size));
}
