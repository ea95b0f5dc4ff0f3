/**
 * The trust anchors SP2 hands SP1 with its TransferMessage (what SP1 writes into the devices'
 * Trust Store before the reset), as a PEM file: each certificate preceded by RFC 7468
 * explanatory text naming its purpose and an optional label:
 *
 *   Purpose: enrollment-ca
 *   Label: CA2 (EST server)
 *   -----BEGIN CERTIFICATE-----
 *   ...
 *   -----END CERTIFICATE-----
 *
 * One block per (certificate, purpose). Pure; decoding checks every anchor (checkTrustAnchor).
 */
import { InvalidInputError } from '../../common/errors';
import { certificatePem } from '../../common/pki/index';
import { checkTrustAnchor, type TrustAnchor } from '../roles/trust-anchors';
import { isTrustPurpose, type TrustPurposeName } from '../roles/transfer-objects';

export function encodeAnchorFile(anchors: readonly TrustAnchor[]): string {
  return anchors.map((a, i) => {
    checkTrustAnchor(a, `anchor ${i + 1}`);
    if (a.label !== undefined && /[\r\n]/.test(a.label)) throw new InvalidInputError(`anchor ${i + 1}: the label must be one line`);
    return `Purpose: ${a.purpose}\n${a.label !== undefined ? `Label: ${a.label}\n` : ''}${certificatePem(a.certificate)}`;
  }).join('\n');
}

const BLOCK = /-----BEGIN CERTIFICATE-----\r?\n([A-Za-z0-9+/=\r\n]+?)-----END CERTIFICATE-----/g;

export function decodeAnchorFile(text: string, where = 'anchor file'): TrustAnchor[] {
  const anchors: TrustAnchor[] = [];
  let from = 0;
  for (const m of text.matchAll(BLOCK)) {
    const n = anchors.length + 1;
    const header = text.slice(from, m.index).split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
    from = m.index! + m[0].length;
    let purpose: string | undefined;
    let label: string | undefined;
    for (const line of header) {
      const h = /^(Purpose|Label):\s*(.*)$/i.exec(line);
      if (!h) throw new InvalidInputError(`${where}: unexpected line before certificate ${n}: "${line.slice(0, 60)}"`);
      if (h[1].toLowerCase() === 'purpose') purpose = h[2];
      else label = h[2];
    }
    if (purpose === undefined) throw new InvalidInputError(`${where}: certificate ${n} has no "Purpose:" line`);
    if (!isTrustPurpose(purpose)) throw new InvalidInputError(`${where}: certificate ${n} has an unknown purpose "${purpose}"`);
    const der = new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
    anchors.push(checkTrustAnchor({ certificate: der, purpose: purpose as TrustPurposeName, ...(label !== undefined ? { label } : {}) }, `${where}: certificate ${n}`));
  }
  if (anchors.length === 0) throw new InvalidInputError(`${where}: no PEM certificate`);
  if (text.slice(from).trim() !== '') throw new InvalidInputError(`${where}: unexpected text after the last certificate`);
  return anchors;
}
