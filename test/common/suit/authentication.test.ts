/**
 * Authentication of SUIT envelopes: the draft's examples verify with their public key, every
 * single flipped byte of every example envelope is refused, envelopes sealed here open with
 * the signer's key only, and unsigned envelopes are refused.
 */
import { generateKeyPairSync } from 'node:crypto';
import { HandoverError } from '../../../common/errors';
import { openSuitEnvelope, sealSuitEnvelope } from '../../../common/suit/authentication';
import { readSuitEnvelope, writeSuitEnvelope } from '../../../common/suit/envelope';
import { SuitRefusedError } from '../../../common/suit/errors';
import { loadSuitTrustStore } from '../../../client-sim/suit/trust-store';
import { EXAMPLES, PUBLIC_KEY_PEM, fixtureEnvelope, fixtureEnvelopes } from './fixtures';

const trust = loadSuitTrustStore(PUBLIC_KEY_PEM());

describe('SUIT authentication', () => {
  it.each(EXAMPLES)('example %i verifies with public_key.pem', (n) => {
    const opened = openSuitEnvelope(fixtureEnvelope(n), trust);
    expect(opened.manifest.sequenceNumber).toBe(n);
    expect(opened.signer).toMatchObject({ keyIndex: 0, alg: 'ES256' });
  });

  it('example 2 also verifies with its severable elements severed', () => {
    expect(openSuitEnvelope(fixtureEnvelopes(2)[1], trust).manifest.install?.value).toBeUndefined();
  });

  it.each(EXAMPLES)('example %i: a flipped byte at any position is refused', (n) => {
    const envelope = fixtureEnvelope(n);
    let refused = 0;
    for (let i = 0; i < envelope.length; i++) {
      for (const mask of [0x01, 0xff]) {
        const bad = new Uint8Array(envelope);
        bad[i] ^= mask;
        let error: unknown;
        try { openSuitEnvelope(bad, trust); } catch (e) { error = e; }
        if (!(error instanceof HandoverError)) throw new Error(`byte ${i} ^ ${mask} of example ${n} was accepted (or failed untyped: ${String(error)})`);
        expect(['ERR_SUIT_INVALID', 'ERR_SUIT_UNSUPPORTED', 'ERR_SUIT_REFUSED']).toContain(error.code);
        refused++;
      }
    }
    expect(refused).toBe(envelope.length * 2);
  });

  it('refuses the examples with another key', () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    expect(() => openSuitEnvelope(fixtureEnvelope(0), [other])).toThrow(SuitRefusedError);
  });

  it('refuses an envelope without authentication block', () => {
    const parts = readSuitEnvelope(fixtureEnvelope(0));
    const unsigned = writeSuitEnvelope({ ...parts, authentication: { ...parts.authentication, blocks: [] } });
    expect(() => openSuitEnvelope(unsigned, trust)).toThrow(/no authentication block/);
  });

  it.each([
    ['ES256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' })],
    ['ES384', () => generateKeyPairSync('ec', { namedCurve: 'P-384' })],
    ['EdDSA', () => generateKeyPairSync('ed25519')],
  ] as const)('seals with %s and opens with the signer key only', (alg, gen) => {
    const signer = gen();
    const stranger = gen();
    const manifest = openSuitEnvelope(fixtureEnvelope(2), trust).manifest;
    const sealed = sealSuitEnvelope(manifest, { key: signer.privateKey, alg, sever: ['install', 'text'] });
    const opened = openSuitEnvelope(sealed, [stranger.publicKey, signer.publicKey]);
    expect(opened.signer).toMatchObject({ keyIndex: 1, alg });
    expect(opened.manifest.install?.value).toEqual(manifest.install?.value);
    expect(opened.manifest.text?.value).toEqual(manifest.text?.value);
    try { openSuitEnvelope(sealed, [stranger.publicKey]); throw new Error('accepted'); } catch (e) { expect((e as SuitRefusedError).reason).toBe('authentication'); }
  });
});
