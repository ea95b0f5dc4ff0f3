import { CoapRequestError } from '../../../server/errors/coap-request-error';
import { checkIdentity, commonName, sameIdentity } from '../../../server/registration/identity-check';

const psk = { endpoint: 'ep1', mode: 'psk' as const, identity: 'id1', key: Buffer.alloc(16) };

describe('identity ↔ endpoint check', () => {
  it('NoSec only when allowed and only for endpoints without credentials', () => {
    expect(() => checkIdentity('ep1', false, undefined, undefined, false)).toThrow(CoapRequestError);
    expect(() => checkIdentity('ep1', false, undefined, undefined, true)).not.toThrow();
    expect(() => checkIdentity('ep1', false, undefined, psk, true)).toThrow(/must use DTLS/);
  });

  it('PSK: identity must be the endpoint\'s', () => {
    expect(() => checkIdentity('ep1', true, { kind: 'psk', identity: 'id1' }, psk, false)).not.toThrow();
    expect(() => checkIdentity('ep1', true, { kind: 'psk', identity: 'id2' }, psk, false)).toThrow(/does not belong/);
    expect(() => checkIdentity('ep1', true, { kind: 'psk', identity: 'id1' }, undefined, false)).toThrow(CoapRequestError);
    expect(() => checkIdentity('ep1', true, undefined, psk, false)).toThrow(/No authenticated/);
  });

  it('X.509: CN or a SAN names the endpoint; refused for PSK/RPK endpoints', () => {
    expect(commonName('C=SE\nO=Acme\nCN=urn:dev:1')).toBe('urn:dev:1');
    expect(() => checkIdentity('urn:dev:1', true, { kind: 'x509', subject: 'C=SE\nCN=urn:dev:1' }, undefined, false)).not.toThrow();
    expect(() => checkIdentity('dev-2', true, { kind: 'x509', subject: 'CN=other', san: ['URI:dev-2'] }, { endpoint: 'dev-2', mode: 'x509' }, false)).not.toThrow();
    expect(() => checkIdentity('dev-3', true, { kind: 'x509', subject: 'CN=other' }, undefined, false)).toThrow(/does not name/);
    expect(() => checkIdentity('ep1', true, { kind: 'x509', subject: 'CN=ep1' }, psk, false)).toThrow(/must authenticate with psk/);
  });

  it('same identity for Update / Send', () => {
    expect(sameIdentity(true, 'id1', true, { kind: 'psk', identity: 'id1' })).toBe(true);
    expect(sameIdentity(true, 'id1', true, { kind: 'psk', identity: 'id2' })).toBe(false);
    expect(sameIdentity(true, 'id1', false, undefined)).toBe(false);
    expect(sameIdentity(false, undefined, false, undefined)).toBe(true);
  });
});
