/**
 * Options of LwM2mClient, each with its default, and the events it emits.
 */
import type { ModelProvider } from '../objects/model';
import type { DatagramSocket } from './datagram-socket';
import type { LwM2mVersion } from './formats';
import type { ObjectEnabler } from './object-enabler';
import type { DeviceInfo } from './objects/device';
import type { FirmwareInstalled, FirmwareUpdateHandler } from './objects/firmware-update';

/**
 * The credentials of one server account. `nosec` only for coap:// servers; `psk` and `x509`
 * for coaps:// ones (DTLS 1.2: PSK, or certificate mode with mutual authentication, the server
 * chain validated against `caPem`). Keys are secrets: they end up in the state file (0600).
 */
export type ClientSecurity =
  | { readonly mode: 'nosec' }
  | { readonly mode: 'psk'; readonly identity: string; readonly key: Buffer }
  | { readonly mode: 'x509'; readonly certChainPem: string; readonly keyPem: string; readonly caPem: string };

/** A server account for LwM2mClient.rejoin(). */
export interface RejoinAccount {
  /** coap:// (with `nosec`) or coaps:// (with `psk` / `x509`). */
  readonly uri: string;
  /** A bootstrap server (Bootstrap-Request, then register with what it writes) or a DM server. */
  readonly bootstrap: boolean;
  readonly security: ClientSecurity;
  /** Registration lifetime of a DM account, seconds. Default: options.lifetime, else 300. */
  readonly lifetime?: number;
}

export interface LwM2mClientOptions {
  /** Endpoint client name (ep=). Required. */
  readonly endpoint: string;
  /** Factory DM server account (Security mode NoSec, short server id 1), e.g. coap://127.0.0.1:5683. */
  readonly serverUri?: string;
  /** Factory bootstrap server account; used when there is no DM account (or after Factory Reset). */
  readonly bootstrapUri?: string;
  /** Registration lifetime of the factory DM account, seconds. Default 300. */
  readonly lifetime?: number;
  /** LwM2M version claimed in Register (lwm2m=). Default "1.1". */
  readonly lwm2mVersion?: LwM2mVersion;
  /** Queue mode (Q / "UQ"). Default false. */
  readonly queueMode?: boolean;
  /** In queue mode, go to sleep this long (ms) after the last exchange; undefined: only on sleep(). */
  readonly awakeTime?: number;
  /** Object models (must hold 0, 1, 3 and 5). Default: the standard models of objects/. */
  readonly models?: ModelProvider;
  /** State file (JSON, 0600); the device resumes from it. Default: no persistence. */
  readonly stateFile?: string;
  /**
   * Credentials of the factory coaps:// accounts (serverUri, bootstrapUri), written into their
   * Security instances; a coap:// account stays NoSec. For each coaps:// account the client
   * opens its own DTLS session (common/dtls DtlsClient), one per server. Default: NoSec.
   */
  readonly security?: ClientSecurity;
  /**
   * A provided dgram-like socket (e.g. a caller's DtlsClient) that carries every exchange; the
   * client neither binds nor closes it, and opens no DTLS session of its own. Default: own UDP
   * socket, plus one DtlsClient per coaps:// account.
   */
  readonly socket?: DatagramSocket;
  /** Local address of the own UDP socket. Default: loopback for a loopback server, else all interfaces. */
  readonly localAddress?: string;
  /** More objects (or replacements of the standard ones, by id). */
  readonly objects?: readonly ObjectEnabler[];
  /** Device object values. Default: Handover / simulated device, serial = endpoint. */
  readonly device?: DeviceInfo;
  /** Firmware download / install (the SUIT processor). Default none: Package URI gives Update Result 9. */
  readonly firmware?: FirmwareUpdateHandler;
  /** Seconds before lifetime end to send the Update. Default 10 % of lifetime, between 1 and 60. */
  readonly updateMargin?: number;
  /** Deadline of one client-initiated request, ms. Default 93000 (CoAP MAX_TRANSMIT_WAIT). */
  readonly requestTimeout?: number;
  /** Deadline from Bootstrap-Request to Bootstrap-Finish, ms. Default 60000. */
  readonly bootstrapTimeout?: number;
  /** First retry delay after a failed Register / Bootstrap, ms; doubles up to maxRetryDelay. Default 2000. */
  readonly retryDelay?: number;
  /** Default 60000. */
  readonly maxRetryDelay?: number;
  /** Extra Register query attributes. */
  readonly registrationAttributes?: Readonly<Record<string, string>>;
}

export interface ClientEvents {
  registered: { location: string; serverUri: string };
  updated: { location: string };
  deregistered: { location: string };
  bootstrapped: { serverUri: string };
  sleeping: Record<string, never>;
  awake: Record<string, never>;
  reboot: Record<string, never>;
  factoryReset: Record<string, never>;
  firmwareInstalled: FirmwareInstalled;
  error: Error;
}
