/**
 * application/csrattrs (Content-Format 285, RFC 7030 §4.5.2): what the CA wants in a CSR.
 *
 *   CsrAttrs ::= SEQUENCE SIZE (0..MAX) OF AttrOrOID
 *   AttrOrOID ::= CHOICE { oid OBJECT IDENTIFIER, attribute Attribute }
 *   Attribute ::= SEQUENCE { type OBJECT IDENTIFIER, values SET SIZE(1..MAX) OF AttributeValue }
 *
 * An item with `values` is an Attribute (each value kept as its DER); without, a bare OID.
 */
import { assertSingleSequence, derChildren, derElement } from './der';
import { EstPayloadError } from './errors';

export interface CsrAttrOrOid {
  readonly oid: string;
  /** DER of each AttributeValue; present (non-empty) for an Attribute, absent for a bare OID. */
  readonly values?: readonly Uint8Array[];
}

/** Well-known OIDs used in CSR attributes. */
export const CsrAttrOid = {
  challengePassword: '1.2.840.113549.1.9.7',
  extensionRequest: '1.2.840.113549.1.9.14',
  ecPublicKey: '1.2.840.10045.2.1',
  secp256r1: '1.2.840.10045.3.1.7',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  serialNumber: '2.5.4.5',
  commonName: '2.5.4.3',
} as const;

/** DER OBJECT IDENTIFIER of a dotted OID. */
export function encodeOid(oid: string): Uint8Array {
  if (!/^[0-2]\.(0|[1-9]\d*)(\.(0|[1-9]\d*))*$/.test(oid)) throw new EstPayloadError(`"${oid}" is not an OID`);
  const arcs = oid.split('.').map((a) => BigInt(a));
  if (arcs[0] < 2n && arcs[1] > 39n) throw new EstPayloadError(`"${oid}": second arc must be below 40`);
  const body: number[] = [];
  const push = (v: bigint) => {
    const groups: number[] = [Number(v & 0x7fn)];
    for (let x = v >> 7n; x > 0n; x >>= 7n) groups.unshift(Number(x & 0x7fn) | 0x80);
    body.push(...groups);
  };
  push(arcs[0] * 40n + arcs[1]);
  for (const a of arcs.slice(2)) push(a);
  return derElement(0x06, Uint8Array.from(body));
}

/** Dotted form of an OBJECT IDENTIFIER's content octets. */
export function decodeOidContent(content: Uint8Array): string {
  if (content.length === 0 || (content[content.length - 1] & 0x80) !== 0) throw new EstPayloadError('malformed OBJECT IDENTIFIER');
  const values: bigint[] = [];
  let v = 0n;
  for (let i = 0; i < content.length; i++) {
    if (v === 0n && content[i] === 0x80) throw new EstPayloadError('OBJECT IDENTIFIER arc not minimally encoded');
    v = (v << 7n) | BigInt(content[i] & 0x7f);
    if ((content[i] & 0x80) === 0) {
      values.push(v);
      v = 0n;
    }
  }
  const first = values[0];
  const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
  return [...head, ...values.slice(1)].join('.');
}

export function encodeCsrAttributes(items: readonly CsrAttrOrOid[]): Uint8Array {
  return derElement(0x30, ...items.map((item) => {
    if (item.values === undefined) return encodeOid(item.oid);
    if (item.values.length === 0) throw new EstPayloadError(`attribute ${item.oid} needs at least one value`);
    return derElement(0x30, encodeOid(item.oid), derElement(0x31, ...item.values));
  }));
}

export function decodeCsrAttributes(der: Uint8Array): CsrAttrOrOid[] {
  const what = 'CSR attributes';
  assertSingleSequence(der, what);
  return derChildren(der, what).map((child, i) => {
    if (child.tag === 0x06) return { oid: decodeOidContent(child.content) };
    if (child.tag !== 0x30) throw new EstPayloadError(`${what}: item ${i} is neither an OID nor an Attribute`);
    const parts = derChildren(child.der, what);
    if (parts.length !== 2 || parts[0].tag !== 0x06 || parts[1].tag !== 0x31) {
      throw new EstPayloadError(`${what}: item ${i} is not an Attribute (type OID, values SET)`);
    }
    const values = derChildren(parts[1].der, what).map((v) => Uint8Array.from(v.der));
    if (values.length === 0) throw new EstPayloadError(`${what}: attribute ${i} has no values`);
    return { oid: decodeOidContent(parts[0].content), values };
  });
}
