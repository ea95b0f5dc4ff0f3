/** COSE_Mac0 with HMAC 256/64 and 256/256: RFC 8392 A.7 from the draft text, round trips, refusals. */
import { createSecretKey, randomBytes } from 'node:crypto';
import { createMac0, verifyMac0 } from '../../../common/cose/mac0';
import { figureHex } from './rfc-text';

const KEY256 = Buffer.from('403697de87af64611c1d32a05dab0fe1fcb715a86ab435f1ec99192d79569388', 'hex'); // RFC 8392 A.2.2
const code = (c: string) => expect.objectContaining({ code: c });

describe('COSE_Mac0', () => {
  it('verifies and reproduces RFC 8392 A.7 (HMAC 256/64, tag 17)', () => {
    const a7 = figureHex('draft-ietf-ace-cbor-web-token-15.txt', 18);
    const r = verifyMac0(a7, KEY256);
    expect(r.alg).toBe('HMAC-256/64');
    expect(Buffer.from(r.kid!).toString()).toBe('Symmetric256');
    const again = createMac0({ payload: r.payload, key: KEY256, alg: 'HMAC-256/64', unprotectedHeader: new Map([[4, Buffer.from('Symmetric256')]]) });
    expect(Buffer.from(again).equals(a7)).toBe(true);
  });

  it.each(['HMAC-256/64', 'HMAC-256/256'] as const)('%s round-trips with AAD, untagged, KeyObject key', (alg) => {
    const key = createSecretKey(randomBytes(32));
    const aad = Buffer.from('aad');
    const msg = createMac0({ payload: Buffer.from('hi'), key, alg, externalAad: aad, tagged: false });
    const r = verifyMac0(msg, key, { externalAad: aad });
    expect(r.tagged).toBe(false);
    expect(r.alg).toBe(alg);
    expect(() => verifyMac0(msg, key)).toThrow(code('ERR_COSE_SIGNATURE'));
    expect(() => verifyMac0(msg, randomBytes(32), { externalAad: aad })).toThrow(code('ERR_COSE_SIGNATURE'));
    expect(() => verifyMac0(msg, key, { externalAad: aad, allowedAlgs: alg === 'HMAC-256/64' ? ['HMAC-256/256'] : ['HMAC-256/64'] })).toThrow(code('ERR_COSE_ALG'));
  });

  it('refuses a tampered payload, garbage and a Sign1 message', () => {
    const msg = Buffer.from(createMac0({ payload: Buffer.from('payload!'), key: KEY256, alg: 'HMAC-256/256' }));
    msg[msg.indexOf('payload!') + 1] ^= 1;
    expect(() => verifyMac0(msg, KEY256)).toThrow(code('ERR_COSE_SIGNATURE'));
    expect(() => verifyMac0(Buffer.from('zz'), KEY256)).toThrow(code('ERR_COSE_INVALID'));
    expect(() => verifyMac0(Buffer.from('d28443a10126a0f640', 'hex'), KEY256)).toThrow(code('ERR_COSE_INVALID'));
  });
});
