/** The four CA hierarchies of the paper's Fig. 1 and what each asks of a device's trust store. */
import { existsSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import {
  type CaHierarchy, ChainInvalidError, HIERARCHY_SHAPES, type HierarchyShape, certificatePem, createCsr, createHierarchies,
  describeCertificate, generateKeyPair, validateChain,
} from '../../../common/pki/index';
import { openssl, put, tempDir } from './openssl';

let dir: string;
const made: CaHierarchy[] = [];
beforeAll(() => { dir = tempDir('hier'); });
afterAll(async () => {
  for (const h of made) await Promise.all(h.all.map((ca) => ca.close()));
  rmSync(dir, { recursive: true, force: true });
});

const EXPECT: Record<HierarchyShape, { roots: number; initial: number; transfer: number; ca1Root: 'permanent' | 'own'; ca2Root: 'permanent' | 'own'; factoryIsPermanent: boolean }> = {
  'separate-roots': { roots: 3, initial: 2, transfer: 1, ca1Root: 'own', ca2Root: 'own', factoryIsPermanent: true },
  'ca1-under-permanent': { roots: 2, initial: 1, transfer: 1, ca1Root: 'permanent', ca2Root: 'own', factoryIsPermanent: true },
  'common-root': { roots: 1, initial: 1, transfer: 0, ca1Root: 'permanent', ca2Root: 'permanent', factoryIsPermanent: false },
  'common-root-permanent': { roots: 1, initial: 1, transfer: 0, ca1Root: 'permanent', ca2Root: 'permanent', factoryIsPermanent: true },
};

const root = (c: { chain: Uint8Array[] }) => Buffer.from(c.chain[c.chain.length - 1]);

describe.each(HIERARCHY_SHAPES.map((s) => [s]))('%s', (shape) => {
  let h: CaHierarchy;
  beforeAll(async () => {
    h = await createHierarchies(shape, { dir: path.join(dir, shape) });
    made.push(h);
  });

  it('has the shape of Fig. 1', () => {
    const e = EXPECT[shape];
    const roots = new Set(h.all.map((ca) => root(ca).toString('hex')));
    expect(roots.size).toBe(e.roots);
    expect(h.factoryCa === h.permanentCa).toBe(e.factoryIsPermanent);
    expect(root(h.factoryCa)).toEqual(Buffer.from(h.permanentCa.certificate));
    expect(root(h.ca1).equals(root(h.permanentCa))).toBe(e.ca1Root === 'permanent');
    expect(root(h.ca2).equals(root(h.permanentCa))).toBe(e.ca2Root === 'permanent');
    expect(h.initialTrustAnchors).toHaveLength(e.initial);
    expect(h.transferTrustAnchors).toHaveLength(e.transfer);
    expect(h.deviceTrustAnchors).toHaveLength(e.initial + e.transfer);
    for (const ca of h.all) expect(existsSync(path.join(ca.dir!, 'ca.pem'))).toBe(true);
  });

  it('a device with the initial anchors validates its factory chain and CA1; CA2 after the transfer anchors are added', async () => {
    const device = generateKeyPair();
    const factory = await h.factoryCa.issueFactoryCertificate({ deviceId: `dev-${shape}`, publicKey: device.publicKey });
    const csr = await createCsr({ subject: `CN=dev-${shape}`, ...device });
    const op1 = await h.ca1.issueFromCsr(csr);
    const op2 = await h.ca2.issueFromCsr(csr);
    const chainOf = (ca: { chain: Uint8Array[] }) => ca.chain.slice(0, -1);
    await validateChain(factory, { trustAnchors: h.initialTrustAnchors, intermediates: chainOf(h.factoryCa), purpose: 'clientAuth' });
    await validateChain(op1, { trustAnchors: h.initialTrustAnchors, intermediates: chainOf(h.ca1), purpose: 'clientAuth' });
    await validateChain(op2, { trustAnchors: h.deviceTrustAnchors, intermediates: chainOf(h.ca2), purpose: 'clientAuth' });
    const initialOnly = validateChain(op2, { trustAnchors: h.initialTrustAnchors, intermediates: chainOf(h.ca2) });
    if (EXPECT[shape].transfer > 0) {
      await expect(initialOnly).rejects.toBeInstanceOf(ChainInvalidError);
      await expect(initialOnly).rejects.toMatchObject({ reason: 'untrusted' });
    } else {
      await expect(initialOnly).resolves.toBeDefined();
    }
    // openssl agrees for the CA2 certificate with the device's full trust store
    const caFile = put(dir, `${shape}-anchors.pem`, h.deviceTrustAnchors.map(certificatePem).join(''));
    const untrusted = chainOf(h.ca2);
    const args = untrusted.length ? ['-untrusted', put(dir, `${shape}-inter.pem`, untrusted.map(certificatePem).join(''))] : [];
    expect(openssl('verify', '-CAfile', caFile, ...args, put(dir, `${shape}-op2.pem`, certificatePem(op2))).status).toBe(0);
    expect(describeCertificate(factory).deviceId).toBe(`dev-${shape}`);
  });
});

it('refuses an unknown shape', async () => {
  await expect(createHierarchies('flat' as HierarchyShape)).rejects.toThrow(/unknown hierarchy shape/);
});
