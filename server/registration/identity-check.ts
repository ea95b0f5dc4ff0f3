/**
 * Who may register as an endpoint (LwM2M 1.1 Transport §5.2.2: the authenticated identity must
 * belong to the endpoint). Pure; refusals are CoapRequestError 4.03.
 *
 * - plain CoAP: refused unless NoSec is allowed, and always when the endpoint has credentials;
 * - PSK: the endpoint must have PSK credentials with exactly this identity;
 * - X.509: the certificate's CN, or one of its subjectAltName values, must be the endpoint name
 *   (the chain itself was verified by the DTLS layer); refused when the endpoint has PSK/RPK
 *   credentials;
 * - RPK credentials: not yet checkable (the DTLS transport reports no raw public keys): refused.
 */
import { CoapRequestError } from '../errors/coap-request-error';
import type { SecurityInfo } from '../security-store';
import type { PeerIdentity } from '../transport/secure-endpoint';

export function commonName(subject: string): string | undefined {
  for (const line of subject.split(/\n|,\s*/)) {
    const m = /^\s*CN=(.*)$/.exec(line);
    if (m) return m[1].trim();
  }
  return undefined;
}

function sanValues(san: readonly string[] | undefined): string[] {
  return (san ?? []).map((s) => s.replace(/^(DNS|URI|IP Address|email):/, ''));
}

export function checkIdentity(ep: string, secure: boolean, identity: PeerIdentity | undefined, info: SecurityInfo | undefined, allowNoSec: boolean): void {
  if (!secure) {
    if (info) throw CoapRequestError.forbidden(`Endpoint '${ep}' has security credentials and must use DTLS`);
    if (!allowNoSec) throw CoapRequestError.forbidden('Unsecured (NoSec) clients are not accepted by this server');
    return;
  }
  if (!identity) throw CoapRequestError.forbidden('No authenticated DTLS session for this peer');
  if (identity.kind === 'psk') {
    if (info?.mode !== 'psk' || info.identity !== identity.identity) {
      throw CoapRequestError.forbidden(`PSK identity '${identity.identity}' does not belong to endpoint '${ep}'`);
    }
    return;
  }
  if (info && info.mode !== 'x509') throw CoapRequestError.forbidden(`Endpoint '${ep}' must authenticate with ${info.mode}`);
  const names = [commonName(identity.subject), ...sanValues(identity.san)];
  if (!names.includes(ep)) throw CoapRequestError.forbidden(`Certificate subject does not name endpoint '${ep}'`);
}

/** Same peer identity as the registration's (Update, De-register, Send must come from it). */
export function sameIdentity(regSecure: boolean, regIdentity: string | undefined, secure: boolean, identity: PeerIdentity | undefined): boolean {
  if (regSecure !== secure) return false;
  if (!secure) return true;
  if (!identity) return false;
  return (identity.kind === 'psk' ? identity.identity : identity.subject) === regIdentity;
}
