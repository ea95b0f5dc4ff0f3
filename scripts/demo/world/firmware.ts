/**
 * The firmware of a handover world (SUIT): what the devices run and what SP2's update server
 * ships. Two manifest signers, each with a certificate: SP1's firmware signer (issued by CA1;
 * devices trust its key from manufacturing, in their own SUIT trust store) and SP2's update
 * signer (issued by CA2; devices trust it only through a Trust Store anchor of purpose
 * update-server delivered with the transfer). One component, three builds:
 *
 *   current   sequence 1, signed by SP1, at SP1's firmware repository /fw/current.suit (+ .bin):
 *             what every device runs and what SP1's UpdateInfoList names (suitReferenceUri)
 *   sp2       sequence 2, signed by SP2, at SP2's update server /fw/sp2.suit (+ .bin): the
 *             firmware of an update-first transfer (the TransferMessage's updateURI)
 *   tampered  sequence 1 with another image, signed by a key nobody trusts: what a device whose
 *             firmware was tampered with runs (never published; its attestation must fail)
 *
 * flash() installs a build on a new device through the device's own SUIT processing
 * (SuitFirmwareHandler: authenticate, fetch, install, validate, commit) with the envelope and
 * image handed over from memory: manufacturing, before the demo's clock starts.
 */
import { createHash, type KeyObject } from 'node:crypto';
import * as path from 'node:path';
import { SuitFirmwareHandler } from '../../../client-sim/suit/firmware-handler';
import type { SuitRecipient } from '../../../client-sim/suit/processor';
import type { SuitInstalledState } from '../../../client-sim/suit/component-store';
import { SuitComponentStore } from '../../../client-sim/suit/component-store';
import { SuitFetchError, SuitRefusedError } from '../../../common/suit/errors';
import { createSuitEnvelope } from '../../../common/suit/builder';
import { parseSuitDescription } from '../../../common/suit/description';
import { bstrWrap } from '../../../common/suit/cbor';
import { inspectSuitEnvelope } from '../../../common/suit/envelope';
import { UUID_NAMESPACE_DNS, formatUuid, uuid5 } from '../../../common/suit/uuid';
import { generateKeyPair, type CertificateAuthority } from '../../../common/pki/index';
import type { SuitUpdateServer } from '../../../plugin/update-server/update-server';
import type { WorldPki } from './credentials';

const VENDOR_ID = uuid5(UUID_NAMESPACE_DNS, 'handover.example');
const CLASS_ID = uuid5(VENDOR_ID, 'handover-demo-device');
const COMPONENT = [Uint8Array.of(0)];

/** What every device of the world asserts to its SUIT processor. */
export const WORLD_RECIPIENT: SuitRecipient = { vendorIds: [VENDOR_ID], classIds: [CLASS_ID], components: [COMPONENT] };

export interface FirmwareSigner {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** DER certificate of the signing key (the update-server anchor devices are given). */
  readonly certificate: Uint8Array;
}

export interface FirmwareBuild {
  readonly name: 'current' | 'sp2' | 'tampered';
  readonly sequenceNumber: number;
  readonly version: string;
  readonly image: Uint8Array;
  readonly envelope: Uint8Array;
  /** Hex SHA-256 of the bstr-wrapped manifest: the digest a device running it reports. */
  readonly manifestDigestHex: string;
  /** Where the envelope is (a URI of SP1's repository or SP2's update server; the tampered build's is nominal). */
  readonly uri: string;
  readonly signer: KeyObject;
}

export interface WorldFirmware {
  readonly sp1Signer: FirmwareSigner;
  readonly sp2Signer: FirmwareSigner;
  readonly current: FirmwareBuild;
  readonly sp2: FirmwareBuild;
  readonly tampered: FirmwareBuild;
  /** The device's SUIT trust store from manufacturing: SP1's firmware signer. */
  readonly deviceTrustStore: readonly KeyObject[];
  /** Install `build` on a device whose SUIT state lives in `stateDir`. */
  flash(stateDir: string, build: FirmwareBuild): Promise<SuitInstalledState>;
}

/** Where a device of the world keeps its SUIT state (beside its transfer state file). */
export function suitDirOf(devicesDir: string, deviceId: string): string {
  return path.join(devicesDir, `${deviceId.replace(/[^A-Za-z0-9._-]/g, '_')}.suit`);
}

/** The SUIT state a device has installed (undefined: nothing). */
export function installedFirmware(stateDir: string): Promise<SuitInstalledState | undefined> {
  return new SuitComponentStore(stateDir).installed();
}

async function signer(ca: CertificateAuthority, subject: string): Promise<FirmwareSigner> {
  const { privateKey, publicKey } = generateKeyPair('P-256');
  const certificate = await ca.issueServerCertificate({ subject, publicKey, dnsNames: ['localhost'] });
  return { privateKey, publicKey, certificate };
}

function image(label: string, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  let block = createHash('sha256').update(label).digest();
  for (let i = 0; i < bytes; i += block.length) {
    out.set(block.subarray(0, Math.min(block.length, bytes - i)), i);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

function build(name: FirmwareBuild['name'], seq: number, version: string, bytes: number, uri: string, key: { privateKey: KeyObject; publicKey: KeyObject }): FirmwareBuild {
  const img = image(`handover ${name} firmware ${version}`, bytes);
  const desc = parseSuitDescription({
    components: [{
      'install-id': ['00'], 'vendor-id': formatUuid(VENDOR_ID), 'class-id': formatUuid(CLASS_ID), uri: `${name}.bin`, bootable: true,
      description: { 'en-US': { 'vendor-domain': 'handover.example', 'model-info': 'handover-demo-device', 'component-version': version } },
    }],
    'manifest-sequence-number': seq,
    'reference-uri': uri,
  });
  const envelope = createSuitEnvelope(desc, [img], { key: key.privateKey, alg: 'ES256' });
  const manifest = inspectSuitEnvelope(envelope).parts.manifestBytes;
  const manifestDigestHex = createHash('sha256').update(bstrWrap(manifest)).digest('hex');
  return { name, sequenceNumber: seq, version, image: img, envelope, manifestDigestHex, uri, signer: key.publicKey };
}

/**
 * The signers and builds; the current build published on SP1's repository, the sp2 build on
 * SP2's update server.
 */
export async function createWorldFirmware(pki: WorldPki, sp1Repository: SuitUpdateServer, sp2UpdateServer: SuitUpdateServer): Promise<WorldFirmware> {
  const h = pki.hierarchy;
  const [sp1Signer, sp2Signer] = await Promise.all([
    signer(h.ca1, 'CN=firmware-signer.sp1.example, O=SP1'),
    signer(h.ca2, 'CN=update-signer.sp2.example, O=SP2'),
  ]);
  const current = build('current', 1, '1.0.0', 1024, sp1Repository.uri('/fw/current.suit'), sp1Signer);
  const sp2 = build('sp2', 2, '2.0.0', 2048, sp2UpdateServer.uri('/fw/sp2.suit'), sp2Signer);
  const tampered = build('tampered', 1, '1.0.0', 1024, sp1Repository.uri('/fw/tampered.suit'), generateKeyPair('P-256'));
  sp1Repository.publish('/fw/current.suit', current.envelope);
  sp1Repository.publish('/fw/current.bin', current.image);
  sp2UpdateServer.publish('/fw/sp2.suit', sp2.envelope);
  sp2UpdateServer.publish('/fw/sp2.bin', sp2.image);
  return {
    sp1Signer, sp2Signer, current, sp2, tampered,
    deviceTrustStore: [sp1Signer.publicKey],
    async flash(stateDir, b) {
      // The factory hands the envelope and image over directly; the device processes them as any update.
      const files = new Map([[new URL(b.uri).pathname, b.envelope], [new URL(`${b.name}.bin`, b.uri).pathname, b.image]]);
      const handler = new SuitFirmwareHandler({
        trustStore: [b.signer], recipient: WORLD_RECIPIENT, stateDir,
        fetch: async (uri) => {
          const data = files.get(new URL(uri).pathname);
          if (!data) throw new SuitFetchError('not-found', `${uri} is not part of the factory image`);
          return data;
        },
      });
      await handler.packageUri(b.uri, new AbortController().signal);
      await handler.update();
      const installed = await handler.installed();
      if (!installed) throw new SuitRefusedError('storage', `flashing ${b.name} left no installed state in ${stateDir}`);
      return installed;
    },
  };
}
