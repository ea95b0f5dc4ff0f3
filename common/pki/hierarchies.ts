/**
 * The CA hierarchies of the trust-transfer paper's Fig. 1, built for tests, demos and operators
 * who want to see what each shape asks of a device's trust store. In every shape a permanent CA
 * (long-lived, trusted for the device's lifetime, paper §VI) stands behind the factory
 * certificates, CA1 is SP1's operational CA and CA2 is SP2's.
 *
 * - 'separate-roots' (Fig. 1a): three unrelated roots: the permanent CA (issues the factory
 *   certificates), CA1 and CA2. The device needs CA1's root before its first enrollment and
 *   CA2's root before the transfer.
 * - 'ca1-under-permanent' (Fig. 1b): CA1 is a sub-CA of the permanent root, CA2 is a separate
 *   root. Only CA2's root has to be added before the transfer.
 * - 'common-root' (Fig. 1c): one common root above three sub-CAs: a factory CA (the permanent
 *   CA's issuing CA), CA1 and CA2. The common root is the only anchor a device needs.
 * - 'common-root-permanent' (Fig. 1d, our reading): the permanent CA is itself the common root:
 *   it issues the factory certificates directly and has CA1 and CA2 as its sub-CAs. Again only
 *   the permanent CA's certificate is needed in the device.
 * In the last two nothing has to be added to the trust store before a transfer, as the paper
 * says for Fig. 1c and 1d.
 */
import * as path from 'node:path';
import type { KeyAlgorithm } from './algorithms';
import { CertificateAuthority } from './certificate-authority';
import { PkiError } from './errors';

export type HierarchyShape = 'separate-roots' | 'ca1-under-permanent' | 'common-root' | 'common-root-permanent';

export const HIERARCHY_SHAPES: readonly HierarchyShape[] = ['separate-roots', 'ca1-under-permanent', 'common-root', 'common-root-permanent'];

export interface CaHierarchy {
  shape: HierarchyShape;
  /** The long-lived root the factory certificates chain to (the common root in Fig. 1c). */
  permanentCa: CertificateAuthority;
  /** Issues the factory certificates (the permanent CA itself, or its sub-CA in Fig. 1c). */
  factoryCa: CertificateAuthority;
  /** SP1's operational CA. */
  ca1: CertificateAuthority;
  /** SP2's operational CA. */
  ca2: CertificateAuthority;
  /** Every CA created (roots first), for closing. */
  all: CertificateAuthority[];
  /** Trust anchors (root DER) a device needs from the factory: to validate CA1's and the factory chain. */
  initialTrustAnchors: Uint8Array[];
  /** Anchors SP1 must add (surviving the reset) before the transfer so the device can authenticate CA2; empty in Fig. 1c/1d. */
  transferTrustAnchors: Uint8Array[];
  /** initialTrustAnchors + transferTrustAnchors. */
  deviceTrustAnchors: Uint8Array[];
}

export interface HierarchyOptions {
  /** Persist each CA in a sub-directory of dir (permanent, factory, ca1, ca2, common). */
  dir?: string;
  key?: KeyAlgorithm;
  /** Prefix of the CA subjects ("O=<org>" is appended). Default "Handover". */
  organization?: string;
}

function rootOf(ca: CertificateAuthority): Uint8Array {
  return ca.chain[ca.chain.length - 1];
}

function unique(certs: Uint8Array[]): Uint8Array[] {
  const seen = new Set<string>();
  return certs.filter((c) => {
    const k = Buffer.from(c).toString('base64');
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Create the CAs of one shape of Fig. 1. */
export async function createHierarchies(shape: HierarchyShape, opts: HierarchyOptions = {}): Promise<CaHierarchy> {
  if (!HIERARCHY_SHAPES.includes(shape)) throw new PkiError(`unknown hierarchy shape "${String(shape)}"`);
  const org = opts.organization ?? 'Handover';
  const at = (name: string) => (opts.dir !== undefined ? path.join(opts.dir, name) : undefined);
  const subject = (cn: string) => `CN=${cn}, O=${org}`;
  const root = (cn: string, dir: string) => CertificateAuthority.createRoot({ subject: subject(cn), dir: at(dir), key: opts.key });
  const sub = (parent: CertificateAuthority, cn: string, dir: string) =>
    parent.createSubordinate({ subject: subject(cn), dir: at(dir), key: opts.key, pathLength: 0 });

  const all: CertificateAuthority[] = [];
  const keep = <T extends CertificateAuthority>(ca: T): T => (all.push(ca), ca);
  try {
    let permanentCa: CertificateAuthority;
    let factoryCa: CertificateAuthority;
    let ca1: CertificateAuthority;
    let ca2: CertificateAuthority;
    switch (shape) {
      case 'separate-roots':
        permanentCa = factoryCa = keep(await root('Permanent CA', 'permanent'));
        ca1 = keep(await root('CA1', 'ca1'));
        ca2 = keep(await root('CA2', 'ca2'));
        break;
      case 'ca1-under-permanent':
        permanentCa = factoryCa = keep(await root('Permanent CA', 'permanent'));
        ca1 = keep(await sub(permanentCa, 'CA1', 'ca1'));
        ca2 = keep(await root('CA2', 'ca2'));
        break;
      case 'common-root':
        permanentCa = keep(await root('Common Root CA', 'common'));
        factoryCa = keep(await sub(permanentCa, 'Factory CA', 'factory'));
        ca1 = keep(await sub(permanentCa, 'CA1', 'ca1'));
        ca2 = keep(await sub(permanentCa, 'CA2', 'ca2'));
        break;
      case 'common-root-permanent':
        permanentCa = factoryCa = keep(await root('Permanent CA', 'permanent'));
        ca1 = keep(await sub(permanentCa, 'CA1', 'ca1'));
        ca2 = keep(await sub(permanentCa, 'CA2', 'ca2'));
        break;
    }
    const initialTrustAnchors = unique([rootOf(factoryCa), rootOf(ca1)]);
    const transferTrustAnchors = unique([rootOf(ca2)]).filter((c) => !initialTrustAnchors.some((a) => Buffer.from(a).equals(Buffer.from(c))));
    return {
      shape, permanentCa, factoryCa, ca1, ca2, all,
      initialTrustAnchors, transferTrustAnchors, deviceTrustAnchors: [...initialTrustAnchors, ...transferTrustAnchors],
    };
  } catch (e) {
    await Promise.all(all.map((ca) => ca.close()));
    throw e;
  }
}
