/**
 * Steps 1–3 of the trust transfer, between the two providers over their provider API: SP1's
 * UpdateInfoList to SP2, SP2's factory certificates to CA2, SP2's TransferMessage and the trust
 * anchors the devices need (CA2 for the EST server and for SP2's LwM2M server) to SP1.
 * Resolves with the transfer id; the campaign (steps 4–6) can start after it.
 */
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
  readonly enrollUri: string;
  /** Where devices join SP2. */
  readonly sp2Uri: string;
  /** Reset window length, seconds. Default one hour. */
  readonly windowSeconds?: number;
}

export async function agreeOnTransfer(o: AgreementOptions): Promise<string> {
  // 1. SP1 → SP2: the UpdateInfoList (SP2 pulls it from SP1's API and imports it).
  await o.sp1.exportUpdateInfoList(o.deviceIds);
  const { transferId } = await o.sp2Client.sendUpdateInfoList(await o.sp1Client.updateInfoList());
  // 2. SP2 → CA2: the factory certificates.
  await o.sp2.forwardToCa(transferId);
  // 3. SP2 → SP1: the TransferMessage, and the anchors the devices need for CA2 and SP2.
  const now = Math.floor(Date.now() / 1000);
  const tm = await o.sp2.buildTransferMessage(transferId, {
    resetTimeNotBefore: now - 60, resetTimeNotAfter: now + (o.windowSeconds ?? 3600), raUri: null,
    updateUri: o.updateUri, updateFirst: false, enrollUri: o.enrollUri, fallbackUri: o.sp2Uri, bootstrapUri: o.sp2Uri,
  });
  await o.sp1Client.sendTransferMessage(tm);
  await o.sp1Client.sendTrustAnchors(transferId, [
    { certificate: o.ca2Root, purpose: 'enrollment-ca', label: 'CA2 (EST server)' },
    { certificate: o.ca2Root, purpose: 'lwm2m-server', label: 'SP2 LwM2M server' },
  ]);
  return transferId;
}
