/** UpdateInfoList: CBOR shape, JWS signing by SP1, verification by SP2 and refusals. */
import { generateKeyPairSync } from 'node:crypto';
import { decodeCbor, encodeCbor } from '../../../common/cose/cbor';
import { decodeUpdateInfoList, encodeUpdateInfoList, signUpdateInfoList, verifyUpdateInfoList, type DeviceUpdateInfo } from '../../../plugin/messages/update-info-list';
import { factoryCertificate } from './certs';

const sp1 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
let list: DeviceUpdateInfo[];

beforeAll(async () => {
  list = await Promise.all(['dev-1', 'dev-2'].map(async (id, i) => ({
    factoryCertificate: await factoryCertificate(id), updateTimeNotBefore: 1_800_000_000, updateTimeNotAfter: 1_800_086_400,
    suitSequenceNumber: 7 + i, suitReferenceUri: `coaps://sp1.example/suit/${id}`,
  })));
});

describe('UpdateInfoList', () => {
  it('encodes as an array of 5-element DeviceUpdateInfo arrays and decodes back', () => {
    const cbor = encodeUpdateInfoList(list);
    const raw = decodeCbor(cbor, 't') as unknown[][];
    expect(raw).toHaveLength(2);
    expect(raw[0]).toHaveLength(5);
    expect(raw[0][3]).toBe(7);
    const back = decodeUpdateInfoList(cbor);
    expect(back[1].suitReferenceUri).toBe('coaps://sp1.example/suit/dev-2');
    expect(Buffer.from(back[0].factoryCertificate).equals(Buffer.from(list[0].factoryCertificate))).toBe(true);
  });

  it('is signed by SP1 as a compact JWS and verified by SP2', async () => {
    const jws = await signUpdateInfoList(list, { key: sp1.privateKey, alg: 'ES256', kid: 'sp1-2024' });
    expect(jws.split('.')).toHaveLength(3);
    const r = await verifyUpdateInfoList(jws, sp1.publicKey);
    expect(r.list.map((d) => d.suitSequenceNumber)).toEqual([7, 8]);
    expect(r.kid).toBe('sp1-2024');
    await expect(verifyUpdateInfoList(jws, generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey)).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE' });
  });

  it('refuses bad entries: empty window, bad URI, non-certificate, wrong shape, garbage', () => {
    expect(() => encodeUpdateInfoList([{ ...list[0], updateTimeNotAfter: list[0].updateTimeNotBefore }])).toThrow(expect.objectContaining({ code: 'ERR_MESSAGE_INVALID' }));
    expect(() => encodeUpdateInfoList([{ ...list[0], suitReferenceUri: 'not a uri' }])).toThrow(expect.objectContaining({ code: 'ERR_MESSAGE_INVALID' }));
    expect(() => encodeUpdateInfoList([{ ...list[0], factoryCertificate: new Uint8Array([1, 2, 3]) }])).toThrow(expect.objectContaining({ code: 'ERR_MESSAGE_INVALID' }));
    expect(() => decodeUpdateInfoList(encodeCbor([[1, 2]]))).toThrow(expect.objectContaining({ code: 'ERR_MESSAGE_INVALID' }));
    expect(() => decodeUpdateInfoList(encodeCbor(new Map([[1, 2]])))).toThrow(expect.objectContaining({ code: 'ERR_MESSAGE_INVALID' }));
    expect(() => decodeUpdateInfoList(Buffer.from('ff00', 'hex'))).toThrow(expect.objectContaining({ code: 'ERR_MESSAGE_INVALID' }));
  });
});
