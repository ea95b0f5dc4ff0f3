/** PeerIdentity built from a real certificate (made with the openssl CLI) and from a PSK identity. */
import { X509Certificate } from 'node:crypto';
import { peerIdentityOf, splitSubjectAltName } from '../../../common/dtls/peer-identity';
import { makeTestPki, type TestPki } from './pki';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki.remove());

test('a PSK identity wins', () => {
  expect(peerIdentityOf('dev-1', [])).toEqual({ kind: 'psk', identity: 'dev-1' });
});

test('no identity and no chain: undefined', () => {
  expect(peerIdentityOf(undefined, [])).toBeUndefined();
});

test('x509: subject, SAN entries and the chain, leaf first', () => {
  const leaf = new X509Certificate(pki.pem.serverCert).raw;
  const ca = new X509Certificate(pki.pem.ca).raw;
  const id = peerIdentityOf(undefined, [leaf, ca]);
  expect(id).toEqual({ kind: 'x509', subject: 'CN=localhost', san: ['DNS:localhost', 'IP Address:127.0.0.1'], chain: [leaf, ca] });
});

test('a malformed certificate throws', () => {
  expect(() => peerIdentityOf(undefined, [Buffer.from('nope')])).toThrow();
});

test('subjectAltName splitting keeps quoted commas', () => {
  expect(splitSubjectAltName('DNS:a, URI:"urn:x, y", IP Address:1.2.3.4')).toEqual(['DNS:a', 'URI:"urn:x, y"', 'IP Address:1.2.3.4']);
  expect(splitSubjectAltName(undefined)).toEqual([]);
});
