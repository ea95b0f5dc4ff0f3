/**
 * EstPayload: any EST-coaps payload, decoded, as a tagged union; parseEstPayload picks the codec
 * from the Content-Format, or, without one, from the structure of the bytes (CBOR array →
 * multipart-core; DER → certs-only PKCS#7, certificate, CSR, PKCS#8 key or CSR attributes).
 * Every malformed input is an EstPayloadError; a CSR whose signature does not verify is still a
 * CSR (signatureValid: false) — refusing it is the CA's decision.
 */
import type { KeyObject } from 'node:crypto';
import { verifyCsr } from '../pki/index';
import { assertCertificate, decodeCertsOnly } from './certs-only';
import { EstContentFormat } from './content-format';
import { decodeCsrAttributes, type CsrAttrOrOid } from './csr-attributes';
import { assertSingleSequence, derChildren } from './der';
import { EstPayloadError } from './errors';
import { decodeMultipartCore, type MultipartPart } from './multipart-core';
import { decodePrivateKey } from './private-key';

export type EstPayload =
  | { readonly kind: 'csr'; readonly csr: Uint8Array; readonly subject: string; readonly publicKey: KeyObject; readonly signatureValid: boolean }
  | { readonly kind: 'certs'; readonly certificates: Uint8Array[] }
  | { readonly kind: 'cert'; readonly certificate: Uint8Array }
  | { readonly kind: 'private-key'; readonly privateKey: KeyObject; readonly keyType: string; readonly curve?: string }
  | { readonly kind: 'csr-attributes'; readonly attributes: string[]; readonly items: CsrAttrOrOid[] }
  | { readonly kind: 'multipart'; readonly parts: MultipartPart[] };

/** Decodes and checks a PKCS#10 CSR (signature verified, never trusted blindly). */
export async function parseCsrPayload(der: Uint8Array): Promise<EstPayload & { kind: 'csr' }> {
  assertSingleSequence(der, 'PKCS#10 CSR');
  let info: Awaited<ReturnType<typeof verifyCsr>>;
  try {
    info = await verifyCsr(der);
  } catch (cause) {
    throw new EstPayloadError(`PKCS#10 CSR: ${(cause as Error).message}`, { cause });
  }
  return { kind: 'csr', csr: Uint8Array.from(der), subject: info.subject, publicKey: info.publicKey, signatureValid: info.signatureValid };
}

function privateKeyPayload(der: Uint8Array): EstPayload {
  const privateKey = decodePrivateKey(der);
  const curve = privateKey.asymmetricKeyDetails?.namedCurve;
  return { kind: 'private-key', privateKey, keyType: privateKey.asymmetricKeyType ?? 'unknown', ...(curve ? { curve } : {}) };
}

function csrAttributesPayload(der: Uint8Array): EstPayload {
  const items = decodeCsrAttributes(der);
  return { kind: 'csr-attributes', attributes: items.map((i) => i.oid), items };
}

/** Decodes `bytes` as the EST payload of `contentFormat`, or guesses the kind from its structure. */
export async function parseEstPayload(bytes: Uint8Array, contentFormat?: number): Promise<EstPayload> {
  if (bytes.length === 0) throw new EstPayloadError('empty EST payload');
  switch (contentFormat) {
    case EstContentFormat.pkcs7CertsOnly: return { kind: 'certs', certificates: decodeCertsOnly(bytes) };
    case EstContentFormat.pkixCert: assertCertificate(bytes); return { kind: 'cert', certificate: Uint8Array.from(bytes) };
    case EstContentFormat.pkcs10: return parseCsrPayload(bytes);
    case EstContentFormat.csrAttrs: return csrAttributesPayload(bytes);
    case EstContentFormat.pkcs8: return privateKeyPayload(bytes);
    case EstContentFormat.multipartCore: return { kind: 'multipart', parts: decodeMultipartCore(bytes) };
    case EstContentFormat.serverGeneratedKey: throw new EstPayloadError('Content-Format 280 (CMS-protected private key) is not supported');
    case undefined: return sniff(bytes);
    default: throw new EstPayloadError(`Content-Format ${contentFormat} is not an EST payload`);
  }
}

async function sniff(bytes: Uint8Array): Promise<EstPayload> {
  if (bytes[0] >> 5 === 4) return { kind: 'multipart', parts: decodeMultipartCore(bytes) };
  assertSingleSequence(bytes, 'EST payload');
  const top = derChildren(bytes, 'EST payload');
  const tags = top.map((c) => c.tag);
  if (tags.length === 2 && tags[0] === 0x06 && tags[1] === 0xa0) return { kind: 'certs', certificates: decodeCertsOnly(bytes) };
  if (tags.length === 3 && tags[0] === 0x30 && tags[1] === 0x30 && tags[2] === 0x03) {
    const inner = derChildren(top[0].der, 'EST payload').map((c) => c.tag);
    // CertificationRequestInfo: version INTEGER, subject Name, SubjectPublicKeyInfo, [0] attributes.
    const looksLikeCsr = inner.length === 4 && inner[0] === 0x02 && inner[3] === 0xa0;
    if (looksLikeCsr) return parseCsrPayload(bytes);
    assertCertificate(bytes);
    return { kind: 'cert', certificate: Uint8Array.from(bytes) };
  }
  if (tags.length >= 3 && tags[0] === 0x02 && tags[1] === 0x30 && tags[2] === 0x04) return privateKeyPayload(bytes);
  if (tags.every((t) => t === 0x06 || t === 0x30)) return csrAttributesPayload(bytes);
  throw new EstPayloadError('not an EST payload: unrecognised DER structure');
}
