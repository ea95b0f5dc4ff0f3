/**
 * Certificate path validation against a trust store (RFC 5280 §6, the parts a device fleet
 * needs): build the path from the leaf through the given intermediates to a trust anchor,
 * verify each signature with node:crypto, check every certificate's validity period at `at`,
 * that each issuer is a CA (basicConstraints cA, keyCertSign when keyUsage is present, pathLen
 * respected), that no certificate is on a CRL from its issuer, and the leaf's extended key
 * usage for `purpose`. A leaf without an EKU extension is accepted for any purpose (RFC 5280
 * §4.2.1.12). CRLs are optional; a CRL whose signature does not verify with its issuer is
 * refused (bad-signature) rather than ignored. Unknown critical extensions are not checked.
 */
import { X509Certificate as NodeX509 } from 'node:crypto';
import { isSingleTlv } from './der';
import { parseCertificate } from './describe';
import { ChainInvalidError } from './errors';
import { normalizeSerial, sameName } from './names';
import { x509 } from './x509';

const MAX_DEPTH = 8;
const EKU_ANY = '2.5.29.37.0';

interface Cert {
  der: Uint8Array;
  x: x509.X509Certificate;
  node: NodeX509;
}

function load(der: Uint8Array, what: string): Cert {
  try {
    return { der, x: parseCertificate(der), node: new NodeX509(Buffer.from(der)) };
  } catch (e) {
    throw new ChainInvalidError('malformed', `${what} is not a DER X.509 certificate`, { cause: e });
  }
}

function label(c: Cert): string {
  return `"${c.x.subject}" (serial ${normalizeSerial(c.x.serialNumber)})`;
}

/** Did `issuer` sign `child`? Names must chain, and the signature verify with node:crypto. */
function signedBy(child: Cert, issuer: Cert): boolean {
  if (!sameName(child.x.issuerName, issuer.x.subjectName)) return false;
  try {
    return child.node.verify(issuer.node.publicKey);
  } catch {
    return false;
  }
}

function sameCert(a: Cert, b: Cert): boolean {
  return Buffer.from(a.der).equals(Buffer.from(b.der));
}

/** The path leaf → … → anchor (anchor last). */
function buildPath(leaf: Cert, anchors: Cert[], intermediates: Cert[]): Cert[] {
  const path = [leaf];
  for (;;) {
    const cur = path[path.length - 1];
    if (anchors.some((a) => sameCert(a, cur))) return path;
    const anchor = anchors.find((a) => signedBy(cur, a));
    if (anchor) return [...path, anchor];
    if (path.length >= MAX_DEPTH) throw new ChainInvalidError('untrusted', `no trust anchor within ${MAX_DEPTH} certificates of ${label(leaf)}`);
    const next = intermediates.find((c) => !path.some((p) => sameCert(p, c)) && signedBy(cur, c));
    if (!next) {
      const candidates = [...anchors, ...intermediates].filter((c) => sameName(cur.x.issuerName, c.x.subjectName));
      if (candidates.length > 0) {
        throw new ChainInvalidError('bad-signature', `the signature of ${label(cur)} does not verify with its issuer's key`);
      }
      throw new ChainInvalidError('untrusted', `no trusted issuer for ${label(cur)} (issuer "${cur.x.issuer}")`);
    }
    path.push(next);
  }
}

function checkValidity(path: Cert[], at: Date): void {
  for (const c of path) {
    if (at < c.x.notBefore) throw new ChainInvalidError('not-yet-valid', `${label(c)} is not valid before ${c.x.notBefore.toISOString()}`);
    if (at > c.x.notAfter) throw new ChainInvalidError('expired', `${label(c)} expired ${c.x.notAfter.toISOString()}`);
  }
}

function checkIssuers(path: Cert[]): void {
  for (let i = 1; i < path.length; i++) {
    const c = path[i];
    const bc = c.x.getExtension(x509.BasicConstraintsExtension);
    if (!bc?.ca) throw new ChainInvalidError('not-a-ca', `${label(c)} signed a certificate but is not a CA`);
    const ku = c.x.getExtension(x509.KeyUsagesExtension);
    if (ku && (ku.usages & x509.KeyUsageFlags.keyCertSign) === 0) {
      throw new ChainInvalidError('not-a-ca', `${label(c)} may not sign certificates (keyUsage)`);
    }
    // pathLen counts the non-self-issued intermediates below this CA (leaf excluded)
    const below = i - 1;
    if (bc.pathLength !== undefined && below > bc.pathLength) {
      throw new ChainInvalidError('not-a-ca', `${label(c)} allows ${bc.pathLength} intermediate CA(s) below it, the path has ${below}`);
    }
  }
}

function loadCrls(crls: Uint8Array[]): x509.X509Crl[] {
  return crls.map((der, i) => {
    try {
      const crl = new x509.X509Crl(Buffer.from(der));
      if (!isSingleTlv(der)) throw new Error('trailing bytes');
      return crl;
    } catch (e) {
      throw new ChainInvalidError('malformed', `CRL #${i} is not a DER CRL`, { cause: e });
    }
  });
}

async function checkRevocation(path: Cert[], crls: x509.X509Crl[], at: Date): Promise<void> {
  for (let i = 0; i < path.length - 1; i++) {
    const c = path[i];
    const issuer = path[i + 1];
    for (const crl of crls) {
      if (!sameName(crl.issuerName, issuer.x.subjectName)) continue;
      let ok = false;
      try {
        ok = await crl.verify({ publicKey: issuer.x });
      } catch {
        ok = false;
      }
      if (!ok) throw new ChainInvalidError('bad-signature', `a CRL of "${issuer.x.subject}" does not verify with its key`);
      const entry = crl.findRevoked(c.x);
      if (entry && entry.revocationDate <= at) {
        throw new ChainInvalidError('revoked', `${label(c)} was revoked ${entry.revocationDate.toISOString()}`, {
          details: { serialNumber: normalizeSerial(c.x.serialNumber), reason: entry.reason },
        });
      }
    }
  }
}

function checkPurpose(leaf: Cert, purpose: 'clientAuth' | 'serverAuth'): void {
  const eku = leaf.x.getExtension(x509.ExtendedKeyUsageExtension);
  if (!eku) return;
  const wanted = x509.ExtendedKeyUsage[purpose];
  if (!eku.usages.some((u) => u === wanted || u === EKU_ANY)) {
    throw new ChainInvalidError('wrong-purpose', `${label(leaf)} is not for ${purpose}`);
  }
}

/**
 * Validate `leaf` (DER) against `trustAnchors`; resolves to the path leaf first, anchor last.
 * Throws ChainInvalidError with reason untrusted, expired, not-yet-valid, revoked,
 * bad-signature, not-a-ca, wrong-purpose or malformed.
 */
export async function validateChain(leaf: Uint8Array, opts: {
  trustAnchors: Uint8Array[];
  intermediates?: Uint8Array[];
  crls?: Uint8Array[];
  at?: Date;
  purpose?: 'clientAuth' | 'serverAuth';
}): Promise<{ chain: Uint8Array[] }> {
  const at = opts.at ?? new Date();
  const leafCert = load(leaf, 'the certificate');
  const anchors = opts.trustAnchors.map((d, i) => load(d, `trust anchor #${i}`));
  const intermediates = (opts.intermediates ?? []).map((d, i) => load(d, `intermediate #${i}`));
  const crls = loadCrls(opts.crls ?? []);
  const path = buildPath(leafCert, anchors, intermediates);
  checkValidity(path, at);
  checkIssuers(path);
  await checkRevocation(path, crls, at);
  if (opts.purpose) checkPurpose(leafCert, opts.purpose);
  return { chain: path.map((c) => c.der) };
}
