/**
 * Options of the device's transfer agent (createTransferAgent), each with its default.
 */
import type { KeyObject } from 'node:crypto';
import type { ModelProvider } from '../../objects/model';
import type { FactoryCredentials, DefaultStepsContext, TransferSteps } from './transfer-steps';

export interface TransferAgentOptions {
  /** This device's id: the `sub` a token must carry (normally the LwM2M endpoint). */
  readonly deviceId: string;
  /** The factory key and certificate (+ intermediates). Never dropped, never stored in the state file. */
  readonly factory: FactoryCredentials;
  /**
   * The current operational key and certificate from SP1's CA. Used until the state file holds
   * others (after a transfer the file holds the new ones and wins). Default none.
   */
  readonly operational?: { readonly privateKey: KeyObject; readonly certificate: Uint8Array; readonly chain?: readonly Uint8Array[] };
  /** The agent's state file (JSON, 0600; holds private keys). Default: no persistence. */
  readonly stateFile?: string;
  /** Models holding the three objects. Default: objects/ddf, parsed once per process (sharedStandardModels()). */
  readonly models?: ModelProvider;
  /** Object ids, when a deployment remapped them. Default 33001, 33002, 33003. */
  readonly objectIds?: { readonly transfer?: number; readonly trustStore?: number; readonly enrollment?: number };
  /** Refuse tokens not bound to the factory certificate's thumbprint. Default false (sub = device id suffices). */
  readonly requireCertificateBinding?: boolean;
  /** Clock tolerance for the token window, seconds. Default the CWT module's (60). */
  readonly clockSkew?: number;
  /** NumericDate now (seconds). Default the system clock. */
  readonly now?: () => number;
  /** Tries of a step failing transiently, and the first back-off (doubling). Default 3 tries, 1000 ms. */
  readonly retry?: { readonly attempts: number; readonly backoffMs: number; readonly maxBackoffMs?: number };
  /** Join SP2 through its bootstrap server (true) or register directly (false). Default true (the token carries SP2's bootstrap URI). */
  readonly joinBootstrap?: boolean;
  /** Reach the fallback URI through a bootstrap server (true) or register directly (false). Default false. */
  readonly fallbackBootstrap?: boolean;
  /** Subject of the CSR. Default "CN=<deviceId>, serialNumber=<deviceId>". */
  readonly csrSubject?: string;
  /** SUIT settings for the update and attestation steps (recipient, stateDir, ...). Default none. */
  readonly suit?: DefaultStepsContext['suit'];
  /** Deadline of a rejoin, ms. Default the client's. */
  readonly joinTimeoutMs?: number;
  /** Deadline of one EST exchange, ms. Default the EST client's. */
  readonly estTimeoutMs?: number;
  /** Replace external steps (attest, update, enroll, join). Default the real ones (transfer-steps.ts). */
  readonly steps?: Partial<TransferSteps>;
  /** Progress lines. Default none. */
  readonly log?: (line: string) => void;
}
