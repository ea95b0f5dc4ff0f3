/**
 * The external steps of the device's transfer, each a small function the agent calls, with its
 * default real implementation: attest (plugin/ra RA client, evidence signed with the factory
 * key over the installed SUIT state), update (SuitFirmwareHandler fetching the envelope at the
 * update URI, manifest signers = Trust Store anchors of purpose update-server), enroll
 * (EstClient simple enroll over DTLS, authenticated by the factory certificate), join
 * (LwM2mClient.rejoin). A deployment or a test may replace any of them.
 */
import type { KeyObject } from 'node:crypto';
import type { LwM2mClient } from '../client';
import type { RejoinAccount } from '../client-options';
import type { FirmwareInstalled } from '../objects/firmware-update';
import { SuitFirmwareHandler, type SuitFirmwareHandlerOptions } from '../suit/firmware-handler';
import { attest as raAttest } from '../../plugin/ra/ra-client';
import { TransferResult } from './transfer-codes';
import { TransferStepError } from './errors';

/** The device's factory identity. */
export interface FactoryCredentials {
  readonly privateKey: KeyObject;
  /** DER factory certificate. */
  readonly certificate: Uint8Array;
  /** DER intermediate CA certificates above it (not the root). Default none. */
  readonly chain?: readonly Uint8Array[];
}

export interface AttestRequest {
  readonly raUri: string;
  readonly deviceId: string;
  readonly factory: FactoryCredentials;
  readonly signal: AbortSignal;
}

export interface UpdateRequest {
  readonly updateUri: string;
  /** Keys allowed to sign the manifest (update-server anchors plus the device's own SUIT keys). */
  readonly trustStore: readonly KeyObject[];
  readonly signal: AbortSignal;
}

/** DTLS credentials toward the EST server. */
export interface EstCredentials {
  readonly certChainPem: string;
  readonly keyPem: string;
  /** Enrollment-CA anchors: who the EST server may be. */
  readonly caPem: string;
}

export interface EnrollRequest {
  /** EST-coaps URI (coaps://host:port/.well-known/est). */
  readonly enrollUri: string;
  /** DER PKCS#10 request. */
  readonly csr: Uint8Array;
  /** Simple re-enroll (/sren, operational certificate) instead of simple enroll (/sen, factory certificate). */
  readonly reenroll: boolean;
  readonly credentials: EstCredentials;
  readonly signal: AbortSignal;
}

/** The agent's external steps; every one is replaceable (TransferAgentOptions.steps). */
export interface TransferSteps {
  /** Remote attestation at the RA URI; resolves when the verifier accepted the evidence. */
  attest(req: AttestRequest): Promise<void>;
  /** Download, check and install the SUIT update at the update URI. */
  update(req: UpdateRequest): Promise<FirmwareInstalled>;
  /** Enroll with the CA: the issued certificate (DER). */
  enroll(req: EnrollRequest): Promise<Uint8Array>;
  /** Leave the current provider and join the one at `account`. */
  join(account: RejoinAccount): Promise<void>;
}

/** What the default steps need from the device. */
export interface DefaultStepsContext {
  /** SUIT processing of this device (stateDir: its installed firmware). Without it: no update, no attestation. */
  readonly suit?: Omit<SuitFirmwareHandlerOptions, 'trustStore'> & { readonly trustStore?: readonly KeyObject[] };
  /** The client to rejoin with (set by TransferAgent.attach). */
  client(): LwM2mClient | undefined;
  /** Deadline of a rejoin, ms. Default: the client's. */
  readonly joinTimeoutMs?: number;
  /** Deadline of one RA exchange, ms. Default 10000. */
  readonly raTimeoutMs?: number;
}

function unavailable(result: TransferResult, what: string): never {
  throw new TransferStepError(result, what, false);
}

/** The SUIT state the device runs, for attestation evidence. */
async function installedFirmware(ctx: DefaultStepsContext): Promise<{ firmwareDigest: Uint8Array; suitSequence: number }> {
  if (!ctx.suit) unavailable(TransferResult.attestationFailed, 'attestation needs the device\'s SUIT state (TransferAgentOptions.suit)');
  const handler = new SuitFirmwareHandler({ ...ctx.suit, trustStore: ctx.suit.trustStore ?? [] });
  const installed = await handler.installed();
  if (!installed) unavailable(TransferResult.attestationFailed, 'no SUIT manifest is installed: nothing to attest');
  if (installed.manifestDigest.alg !== 'sha256' && installed.manifestDigest.alg !== 'sha-256') {
    unavailable(TransferResult.attestationFailed, `the installed manifest digest is ${installed.manifestDigest.alg}, evidence needs SHA-256`);
  }
  return { firmwareDigest: new Uint8Array(Buffer.from(installed.manifestDigest.hex, 'hex')), suitSequence: installed.sequenceNumber };
}

/** The default steps (enroll: see enroll-step.ts). */
export function defaultSteps(ctx: DefaultStepsContext, enroll: TransferSteps['enroll']): TransferSteps {
  return {
    async attest(req) {
      const fw = await installedFirmware(ctx);
      await raAttest(req.raUri, {
        deviceId: req.deviceId, privateKey: req.factory.privateKey, factoryCertificate: req.factory.certificate,
        ...(req.factory.chain ? { intermediates: req.factory.chain } : {}), ...fw,
      }, { timeoutMs: ctx.raTimeoutMs ?? 10000 });
    },
    async update(req) {
      if (!ctx.suit) unavailable(TransferResult.updateFailed, 'an update needs the device\'s SUIT settings (TransferAgentOptions.suit)');
      const handler = new SuitFirmwareHandler({ ...ctx.suit, trustStore: [...req.trustStore] });
      await handler.packageUri(req.updateUri, req.signal);
      return handler.update();
    },
    enroll,
    async join(account) {
      const client = ctx.client();
      if (!client) unavailable(TransferResult.joinFailed, 'no LwM2M client is attached to the transfer agent');
      await client.rejoin(account, ctx.joinTimeoutMs !== undefined ? { timeoutMs: ctx.joinTimeoutMs } : {});
    },
  };
}
