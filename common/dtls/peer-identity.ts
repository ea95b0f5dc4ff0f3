/**
 * PeerIdentity: who is at the other end of an established DTLS session, as the LwM2M server
 * needs it to check that a registering endpoint owns its credentials. Built from the native
 * session once, when the handshake completes.
 */
import { X509Certificate } from 'node:crypto';

/**
 * `psk`: the PSK identity the client sent (UTF-8).
 * `x509`: the peer's leaf certificate subject (Node's X509Certificate.subject format: one
 * `KEY=value` per line, e.g. "C=SE\nCN=urn:dev:1"), its subjectAltName entries as Node prints
 * them ("DNS:x", "URI:y", "IP Address:z"), and the chain the peer sent, leaf first, DER.
 */
export type PeerIdentity =
  | { readonly kind: 'psk'; readonly identity: string }
  | { readonly kind: 'x509'; readonly subject: string; readonly san: readonly string[]; readonly chain: readonly Buffer[] };

/** Splits Node's subjectAltName string ("DNS:a, URI:b") into entries, honouring quoted values. */
export function splitSubjectAltName(text: string | undefined): string[] {
  if (text === undefined || text === '') return [];
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    if (!quoted && ch === ',' && text[i + 1] === ' ') {
      out.push(current);
      current = '';
      i++;
      continue;
    }
    current += ch;
  }
  if (current !== '') out.push(current);
  return out;
}

/** The identity of a session: PSK when an identity was used, else from the certificate chain. */
export function peerIdentityOf(pskIdentity: string | undefined, chain: Buffer[]): PeerIdentity | undefined {
  if (pskIdentity !== undefined) return { kind: 'psk', identity: pskIdentity };
  if (chain.length === 0) return undefined;
  const leaf = new X509Certificate(chain[0]);
  return { kind: 'x509', subject: leaf.subject, san: splitSubjectAltName(leaf.subjectAltName), chain };
}
