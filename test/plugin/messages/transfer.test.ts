/**
 * TransferMessage (SP2 → SP1) and per-device transfer tokens (SP1 → device): build, validate,
 * the whole step 3–4 flow, and each refusal (signature, window, audience, issuer, device,
 * certificate, replayed counter or cti, kind confusion, malformed).
 */
import { generateKeyPairSync } from 'node:crypto';
import { createCwt } from '../../../common/cwt/cwt';
import { TransferClaim } from '../../../plugin/messages/claims';
import { buildTransferMessage, validateTransferMessage, type TransferInstructions } from '../../../plugin/messages/transfer-message';
import { buildTransferToken, tokenDerivesFrom, validateTransferToken } from '../../../plugin/messages/transfer-token';
import { factoryCertificate } from './certs';

const sp1 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const sp2 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const NOW = 1_800_000_000;
const instructions: TransferInstructions = {
  resetTimeNotBefore: NOW + 3600, resetTimeNotAfter: NOW + 86_400,
  raUri: null, updateUri: 'coaps://update.sp2.example/fw', updateFirst: true,
  enrollUri: 'coaps://ca2.example/.well-known/est', fallbackUri: 'coaps://sp2.example/fallback',
  bootstrapUri: 'coaps://bs.sp2.example:5684',
};
const code = (c: string) => expect.objectContaining({ code: c });
let cert1: Uint8Array;
let cert2: Uint8Array;
beforeAll(async () => { [cert1, cert2] = await Promise.all([factoryCertificate('dev-1'), factoryCertificate('dev-2')]); });

const tm = () => buildTransferMessage({ ...instructions, issuer: 'sp2', audience: 'sp1' }, { key: sp2.privateKey, alg: 'ES256', issuedAt: NOW });

describe('TransferMessage', () => {
  it('SP1 validates it before the reset window opens', () => {
    const m = validateTransferMessage(tm(), sp2.publicKey, { sp1: 'sp1', sp2: 'sp2', now: NOW });
    expect(m).toMatchObject({ ...instructions, issuer: 'sp2', audience: 'sp1', issuedAt: NOW });
    expect(m.cti).toHaveLength(16);
  });

  it('binds to the UpdateInfoList it answers when asked', () => {
    const uil = new Uint8Array([0x80]);
    const signed = buildTransferMessage({ ...instructions, issuer: 'sp2', audience: 'sp1', updateInfoCbor: uil }, { key: sp2.privateKey, alg: 'ES256' });
    expect(validateTransferMessage(signed, sp2.publicKey, { sp1: 'sp1', sp2: 'sp2', now: NOW, updateInfoCbor: uil }).updateInfoHash).toHaveLength(32);
    expect(() => validateTransferMessage(signed, sp2.publicKey, { sp1: 'sp1', sp2: 'sp2', now: NOW, updateInfoCbor: new Uint8Array([0x81, 0]) })).toThrow(code('ERR_MESSAGE_INVALID'));
    expect(() => validateTransferMessage(tm(), sp2.publicKey, { sp1: 'sp1', sp2: 'sp2', now: NOW, updateInfoCbor: uil })).toThrow(code('ERR_MESSAGE_INVALID'));
  });

  it('refuses a wrong signer, audience, issuer, an expired window and tampering', () => {
    expect(() => validateTransferMessage(tm(), sp1.publicKey, { sp1: 'sp1', sp2: 'sp2', now: NOW })).toThrow(code('ERR_CWT_SIGNATURE'));
    expect(() => validateTransferMessage(tm(), sp2.publicKey, { sp1: 'sp3', sp2: 'sp2', now: NOW })).toThrow(code('ERR_CWT_AUDIENCE'));
    expect(() => validateTransferMessage(tm(), sp2.publicKey, { sp1: 'sp1', sp2: 'spX', now: NOW })).toThrow(code('ERR_CWT_ISSUER'));
    expect(() => validateTransferMessage(tm(), sp2.publicKey, { sp1: 'sp1', sp2: 'sp2', now: NOW + 90_000 })).toThrow(code('ERR_CWT_EXPIRED'));
    const bad = Buffer.from(tm());
    bad[bad.indexOf('ca2.example') + 1] ^= 1;
    expect(() => validateTransferMessage(bad, sp2.publicKey, { sp1: 'sp1', sp2: 'sp2', now: NOW })).toThrow(code('ERR_CWT_SIGNATURE'));
    expect(() => validateTransferMessage(bad.subarray(0, 50), sp2.publicKey, { sp1: 'sp1', sp2: 'sp2', now: NOW })).toThrow(code('ERR_CWT_INVALID'));
  });

  it('refuses building with bad fields and reading a CWT that is not a TransferMessage', () => {
    expect(() => buildTransferMessage({ ...instructions, enrollUri: 'ftp://x', issuer: 'sp2', audience: 'sp1' }, { key: sp2.privateKey, alg: 'ES256' })).toThrow(code('ERR_MESSAGE_INVALID'));
    expect(() => buildTransferMessage({ ...instructions, resetTimeNotAfter: NOW, issuer: 'sp2', audience: 'sp1' }, { key: sp2.privateKey, alg: 'ES256' })).toThrow(code('ERR_MESSAGE_INVALID'));
    const other = createCwt({ claims: { iss: 'sp2', aud: 'sp1', exp: NOW + 10, nbf: NOW, iat: NOW, cti: new Uint8Array(4), extra: new Map([[TransferClaim.kind, 2]]) }, key: sp2.privateKey, alg: 'ES256' });
    expect(() => validateTransferMessage(other, sp2.publicKey, { sp1: 'sp1', sp2: 'sp2', now: NOW })).toThrow(code('ERR_MESSAGE_INVALID'));
    const noNbf = createCwt({ claims: { iss: 'sp2', aud: 'sp1', exp: NOW + 10, iat: NOW, cti: new Uint8Array(4) }, key: sp2.privateKey, alg: 'ES256' });
    expect(() => validateTransferMessage(noNbf, sp2.publicKey, { sp1: 'sp1', sp2: 'sp2', now: NOW })).toThrow(code('ERR_CWT_MISSING_CLAIM'));
  });
});

describe('device transfer tokens', () => {
  const inWindow = NOW + 7200;
  const build = (deviceId: string, counter: number, cert?: Uint8Array) => {
    const signedTm = tm();
    const m = validateTransferMessage(signedTm, sp2.publicKey, { sp1: 'sp1', sp2: 'sp2', now: NOW });
    return { signedTm, token: buildTransferToken(m, { deviceId, transferCounter: counter, ...(cert ? { factoryCertificate: cert } : {}) }, {
      issuer: 'sp1', fallbackUri: 'coaps://dm.sp1.example/fallback', key: sp1.privateKey, alg: 'ES256', transferMessageBytes: signedTm, issuedAt: NOW,
    }) };
  };

  it('copies SP2 instructions, sets SP1 as fallback, binds device and certificate', () => {
    const { token, signedTm } = build('dev-1', 5, cert1);
    const t = validateTransferToken(token, sp1.publicKey, { deviceId: 'dev-1', factoryCertificate: cert1, lastCounter: 4, issuer: 'sp1', now: inWindow });
    expect(t).toMatchObject({ ...instructions, fallbackUri: 'coaps://dm.sp1.example/fallback', deviceId: 'dev-1', transferCounter: 5, issuer: 'sp1' });
    expect(t.factoryCertificateHash![0]).toBe(-16);
    expect(tokenDerivesFrom(t, signedTm)).toBe(true);
    expect(tokenDerivesFrom(t, tm())).toBe(false);
  });

  it('refuses another device, another certificate, and an unbound token when binding is required', () => {
    const { token } = build('dev-1', 5, cert1);
    expect(() => validateTransferToken(token, sp1.publicKey, { deviceId: 'dev-2', factoryCertificate: cert1, lastCounter: 0, now: inWindow })).toThrow(code('ERR_TRANSFER_REFUSED'));
    expect(() => validateTransferToken(token, sp1.publicKey, { deviceId: 'dev-1', factoryCertificate: cert2, lastCounter: 0, now: inWindow })).toThrow(expect.objectContaining({ code: 'ERR_TRANSFER_REFUSED', reason: 'wrong-factory-certificate' }));
    const unbound = build('dev-1', 5).token;
    expect(validateTransferToken(unbound, sp1.publicKey, { deviceId: 'dev-1', lastCounter: 0, now: inWindow }).deviceId).toBe('dev-1');
    expect(() => validateTransferToken(unbound, sp1.publicKey, { deviceId: 'dev-1', lastCounter: 0, now: inWindow, requireCertificateBinding: true })).toThrow(code('ERR_TRANSFER_REFUSED'));
  });

  it('refuses replays: counter not above the last, or a used cti', () => {
    const { token } = build('dev-1', 5, cert1);
    expect(() => validateTransferToken(token, sp1.publicKey, { deviceId: 'dev-1', factoryCertificate: cert1, lastCounter: 5, now: inWindow })).toThrow(code('ERR_TRANSFER_REPLAY'));
    const seen = new Set<string>();
    const ctiSeen = (c: Uint8Array) => { const k = Buffer.from(c).toString('hex'); const was = seen.has(k); seen.add(k); return was; };
    validateTransferToken(token, sp1.publicKey, { deviceId: 'dev-1', factoryCertificate: cert1, lastCounter: 0, now: inWindow, ctiSeen });
    expect(() => validateTransferToken(token, sp1.publicKey, { deviceId: 'dev-1', factoryCertificate: cert1, lastCounter: 0, now: inWindow, ctiSeen })).toThrow(code('ERR_TRANSFER_REPLAY'));
  });

  it('refuses outside the reset window, a foreign signer, and SP2\'s TransferMessage passed off as a token', () => {
    const { token, signedTm } = build('dev-1', 5);
    const o = { deviceId: 'dev-1', lastCounter: 0 };
    expect(() => validateTransferToken(token, sp1.publicKey, { ...o, now: NOW })).toThrow(code('ERR_CWT_NOT_YET_VALID'));
    expect(() => validateTransferToken(token, sp1.publicKey, { ...o, now: NOW + 100_000 })).toThrow(code('ERR_CWT_EXPIRED'));
    expect(() => validateTransferToken(token, sp2.publicKey, { ...o, now: inWindow })).toThrow(code('ERR_CWT_SIGNATURE'));
    expect(() => validateTransferToken(signedTm, sp2.publicKey, { ...o, now: inWindow })).toThrow(code('ERR_CWT_MISSING_CLAIM'));
    expect(() => validateTransferToken(token, sp1.publicKey, { ...o, now: inWindow, issuer: 'sp9' })).toThrow(code('ERR_CWT_ISSUER'));
    expect(() => validateTransferToken(new Uint8Array([1, 2, 3]), sp1.publicKey, { ...o, now: inWindow })).toThrow(code('ERR_CWT_INVALID'));
  });

  it('refuses to build with a zero counter or without a device id', () => {
    const m = validateTransferMessage(tm(), sp2.publicKey, { sp1: 'sp1', sp2: 'sp2', now: NOW });
    const opts = { issuer: 'sp1', fallbackUri: 'coaps://dm.sp1.example/fb', key: sp1.privateKey, alg: 'ES256' as const };
    expect(() => buildTransferToken(m, { deviceId: 'd', transferCounter: 0 }, opts)).toThrow(code('ERR_MESSAGE_INVALID'));
    expect(() => buildTransferToken(m, { deviceId: '', transferCounter: 1 }, opts)).toThrow(code('ERR_MESSAGE_INVALID'));
  });
});
