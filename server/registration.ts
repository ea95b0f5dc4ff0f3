/**
 * A client's registration, as stored in Redis and shown by the REST API (Leshan's JSON shape).
 * Plain data: serialisable as JSON without loss.
 */
import type { Link } from './requests';

export interface Registration {
  readonly endpoint: string;
  readonly registrationId: string;
  /** Epoch ms. */
  readonly registrationDate: number;
  /** Epoch ms of the last register/update. */
  readonly lastUpdate: number;
  /** "host:port" the client last spoke from (IPv6 as "[::1]:port"). */
  readonly address: string;
  readonly lwM2mVersion: string;
  /** Seconds. */
  readonly lifetime: number;
  readonly bindingMode: string;
  readonly rootPath: string;
  readonly objectLinks: readonly Link[];
  /** True when the client came over DTLS. */
  readonly secure: boolean;
  /** The authenticated identity, when secure (PSK identity or certificate subject / SAN). */
  readonly identity?: string;
  readonly additionalRegistrationAttributes: Readonly<Record<string, string>>;
  readonly queuemode: boolean;
  /** SMS number (sms=). */
  readonly smsNumber?: string;
  /** Object id → instance ids, derived from objectLinks. */
  readonly availableInstances: Readonly<Record<string, number[]>>;
  /** Content formats the client announced in the root link (ct=). */
  readonly supportedContentFormats?: readonly number[];
  /** Name of the server endpoint the client talks to ("coap", or a secure endpoint's name). */
  readonly transport?: string;
  /** The client's DTLS certificate, when it registered in certificate (x509) mode. */
  readonly certificate?: RegistrationCertificate;
}

/**
 * The certificate a client authenticated with. Names in RFC 4514 order-as-encoded form
 * ("CN=dev-1, serialNumber=dev-1"), serial number in lowercase hex without leading zero bytes,
 * fingerprint256 = SHA-256 of the DER, lowercase hex without colons.
 */
export interface RegistrationCertificate {
  readonly subject: string;
  readonly issuer: string;
  readonly serialNumber: string;
  readonly fingerprint256: string;
}
