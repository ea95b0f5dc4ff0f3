/**
 * The one place that loads @peculiar/x509: it needs reflect-metadata first, and its crypto
 * provider is set to node:crypto's WebCrypto so that every key operation and signature of the
 * PKI runs on Node's OpenSSL. Everything in common/pki imports `x509` from here.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';

/** WebCrypto types from node:crypto (the project compiles without the DOM lib). */
export type WebCrypto = webcrypto.Crypto;
export type WebCryptoKey = webcrypto.CryptoKey;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** Attribute names that @peculiar/x509 does not know by default (X.520 serialNumber). */
export const EXTRA_NAMES: Record<string, string> = { serialNumber: '2.5.4.5' };

/** OID of the subject serialNumber attribute, where factory certificates carry the device id. */
export const OID_SERIAL_NUMBER = '2.5.4.5';

export { x509 };
