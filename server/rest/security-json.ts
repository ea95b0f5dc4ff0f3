/**
 * Client security credentials in the JSON of Leshan's demo servers (JacksonSecuritySerializer /
 * JacksonSecurityDeserializer): `{"endpoint":…,"tls":{"mode":"psk","details":{"identity":…,
 * "key":hex}}}`, `{"mode":"rpk","details":{"key":hex of the DER SubjectPublicKeyInfo}}`,
 * `{"mode":"x509"}`. The pre-2.0 form `{"endpoint":…,"psk":{…}}` / `"rpk"` / `"x509":true` is
 * read too. Server identity (/api/server/security) as Leshan's PublicKeySerDes and
 * X509CertificateSerDes write it.
 */
import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { InvalidInputError } from '../../common/errors';
import type { ClientSecurityInfo } from './device-management';
import type { Json } from './node-json';

/** Longest PSK identity, bytes (RFC 4279 §5.3 allows 2^16-1; DTLS stacks commonly cap at 128). */
const MAX_IDENTITY_BYTES = 128;
/** Longest PSK, bytes. */
const MAX_PSK_BYTES = 64;

export function securityInfoToJson(info: ClientSecurityInfo): Json {
  switch (info.mode) {
    case 'psk':
      return { endpoint: info.endpoint, tls: { mode: 'psk', details: { identity: info.identity, key: info.key.toString('hex') } } };
    case 'rpk':
      return { endpoint: info.endpoint, tls: { mode: 'rpk', details: { key: Buffer.from(info.publicKey).toString('hex') } } };
    case 'x509':
      return { endpoint: info.endpoint, tls: { mode: 'x509' } };
  }
}

function bad(message: string): never {
  throw new InvalidInputError(message);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function hex(v: unknown, what: string): Buffer {
  if (typeof v !== 'string' || v.length === 0 || !/^(?:[0-9a-fA-F]{2})+$/.test(v)) bad(`${what} must be a non-empty hex string`);
  return Buffer.from(v, 'hex');
}

function psk(endpoint: string, d: Record<string, unknown>): ClientSecurityInfo {
  const identity = d.identity;
  if (typeof identity !== 'string' || identity === '') bad('Missing PSK identity');
  if (Buffer.byteLength(identity, 'utf8') > MAX_IDENTITY_BYTES) bad(`PSK identity longer than ${MAX_IDENTITY_BYTES} bytes`);
  const key = hex(d.key, 'PSK key');
  if (key.length > MAX_PSK_BYTES) bad(`PSK key longer than ${MAX_PSK_BYTES} bytes`);
  return { endpoint, mode: 'psk', identity, key };
}

function rpk(endpoint: string, d: Record<string, unknown>): ClientSecurityInfo {
  const der = hex(d.key, 'RPK key');
  let key: KeyObject;
  try {
    key = createPublicKey({ key: der, format: 'der', type: 'spki' });
  } catch {
    return bad('RPK key is not a DER SubjectPublicKeyInfo');
  }
  if (key.asymmetricKeyType !== 'ec') bad('RPK key must be an elliptic-curve public key');
  return { endpoint, mode: 'rpk', publicKey: der };
}

/** The body of PUT /api/security/clients → credentials. Throws InvalidInputError. */
export function parseSecurityInfo(body: unknown): ClientSecurityInfo {
  if (!isObject(body)) bad('Security info must be a JSON object');
  const endpoint = body.endpoint;
  if (typeof endpoint !== 'string' || endpoint === '') bad('Missing endpoint');
  if (endpoint.length > 255) bad('Endpoint name longer than 255 characters');
  if (body.tls !== undefined) {
    if (!isObject(body.tls)) bad('tls must be an object');
    const { mode, details } = body.tls;
    if (mode === 'x509') return { endpoint, mode: 'x509' };
    if (mode !== 'psk' && mode !== 'rpk') bad(`Unsupported tls mode ${JSON.stringify(mode)}: use psk, rpk or x509`);
    if (!isObject(details)) bad(`Missing ${mode} details`);
    return mode === 'psk' ? psk(endpoint, details) : rpk(endpoint, details);
  }
  if (isObject(body.psk)) return psk(endpoint, body.psk);
  if (isObject(body.rpk)) return rpk(endpoint, body.rpk);
  if (body.x509 === true) return { endpoint, mode: 'x509' };
  if (body.oscore !== undefined) bad('OSCORE security is not supported');
  return bad('Invalid security info content: expected tls with mode psk, rpk or x509');
}

/** Java's ECParameterSpec names of the curves we serve. */
const CURVE_PARAMS: Readonly<Record<string, string>> = {
  'P-256': 'secp256r1 [NIST P-256,X9.62 prime256v1] (1.2.840.10045.3.1.7)',
  'P-384': 'secp384r1 [NIST P-384] (1.3.132.0.34)',
  'P-521': 'secp521r1 [NIST P-521] (1.3.132.0.35)',
};

/** An EC public key as Leshan's PublicKeySerDes: x, y (hex), params, b64Der. */
export function publicKeyToJson(key: KeyObject): Json {
  const jwk = key.export({ format: 'jwk' });
  if (key.asymmetricKeyType !== 'ec' || !jwk.x || !jwk.y || !jwk.crv) throw new InvalidInputError('Only EC public keys are supported');
  return {
    x: Buffer.from(jwk.x, 'base64url').toString('hex'),
    y: Buffer.from(jwk.y, 'base64url').toString('hex'),
    params: CURVE_PARAMS[jwk.crv] ?? jwk.crv,
    b64Der: key.export({ format: 'der', type: 'spki' }).toString('base64'),
  };
}

/** The server's identity for /api/server/security: `{pubkey}` (RPK), `{certificate:{pubkey,b64Der}}`, or `{}`. */
export function serverSecurityToJson(identity: { certificate?: X509Certificate; publicKey?: KeyObject }): Json {
  if (identity.certificate) {
    return { certificate: { pubkey: publicKeyToJson(identity.certificate.publicKey), b64Der: identity.certificate.raw.toString('base64') } };
  }
  if (identity.publicKey) return { pubkey: publicKeyToJson(identity.publicKey) };
  return {};
}
