/**
 * Steps 1–3 of the trust transfer, between the two providers over their provider API: SP1's
 * UpdateInfoList to SP2, SP2's factory certificates to CA2, SP2's TransferMessage (with the RA
 * URI when SP2 attests the devices, and the update-first flag) and the trust anchors the devices
 * need (CA2 for the EST server and for SP2's LwM2M server; SP2's manifest signer as an
 * update-server anchor when they update first) to SP1.
 * Resolves with the transfer id; the campaign (steps 4–6) can start after it.
 */
import { InvalidInputError } from '../../../common/errors';
import type { Sp1ApiClient, Sp2ApiClient } from '../../../plugin/provider-api/index';
import type { NewProvider, OldProvider } from '../../../plugin/roles/index';

export interface AgreementOptions {
  readonly sp1: OldProvider;
  readonly sp2: NewProvider;
  /** SP2's client of SP1's provider API, and SP1's client of SP2's. */
  readonly sp1Client: Sp1ApiClient;
  readonly sp2Client: Sp2ApiClient;
  readonly deviceIds: readonly string[];
  /** DER of CA2's root: the devices' anchor for CA2's EST server and SP2's LwM2M server. */
  readonly ca2Root: Uint8Array;
  readonly updateUri: string;
  /** Devices install the firmware at updateUri before enrolling. Default false. */
  readonly updateFirst?: boolean;
  /** DER certificate of the key that signs the manifest at updateUri: sent as an update-server anchor. Needed with updateFirst. */
  readonly updateSigner?: Uint8Array;
  /** SP2's RA server (the TransferMessage's raURI): devices attest before enrolling. Default none. */
  readonly raUri?: string;
  readonly enrollUri: string;
  /** Where devices join SP2. */
  readonly sp2Uri: string;
  /** Where devices bootstrap with SP2 (the TransferMessage's bootstrapUri). Default SP2's own bootstrap server, else sp2Uri (direct registration). */
  readonly sp2BootstrapUri?: string;
  /** Reset window length, seconds. Default one hour. */
  readonly windowSeconds?: number;
}

export async function agreeOnTransfer(o: AgreementOptions): Promise<string> {
  if (o.updateFirst && !o.updateSigner) throw new InvalidInputError('an update-first transfer needs the update signer the devices must trust');
  // 1. SP1 → SP2: the UpdateInfoList (SP2 pulls it from SP1's API and imports it).
  await o.sp1.exportUpdateInfoList(o.deviceIds);
  const { transferId } = await o.sp2Client.sendUpdateInfoList(await o.sp1Client.updateInfoList());
  // 2. SP2 → CA2: the factory certificates.
  await o.sp2.forwardToCa(transferId);
  // 3. SP2 → SP1: the TransferMessage, and the anchors the devices need for CA2 and SP2.
  const now = Math.floor(Date.now() / 1000);
  const tm = await o.sp2.buildTransferMessage(transferId, {
    resetTimeNotBefore: now - 60, resetTimeNotAfter: now + (o.windowSeconds ?? 3600), raUri: o.raUri ?? null,
    updateUri: o.updateUri, updateFirst: o.updateFirst ?? false, enrollUri: o.enrollUri, fallbackUri: o.sp2Uri, bootstrapUri: o.sp2BootstrapUri ?? o.sp2.bootstrapUri ?? o.sp2Uri,
  });
  await o.sp1Client.sendTransferMessage(tm);
  await o.sp1Client.sendTrustAnchors(transferId, [
    { certificate: o.ca2Root, purpose: 'enrollment-ca', label: 'CA2 (EST server)' },
    { certificate: o.ca2Root, purpose: 'lwm2m-server', label: 'SP2 LwM2M server' },
    ...(o.updateSigner ? [{ certificate: o.updateSigner, purpose: 'update-server' as const, label: 'SP2 update server (manifest signer)' }] : []),
  ]);
  return transferId;
}
