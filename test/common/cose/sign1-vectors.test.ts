/**
 * Data-driven runner over the cose-wg Examples in shared/fixtures/cose/sign1-tests: each file
 * must verify or be refused as its `fail` flag says, and the passing ones must reproduce the
 * ToBeSign intermediate.
 */
import { createPublicKey, generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { decodeSign1, verifySign1 } from '../../../common/cose/sign1';
import { encodeCbor } from '../../../common/cose/cbor';
import { protectedForStructure } from '../../../common/cose/headers';
import { isHandoverError } from '../../../common/errors';

const DIR = path.resolve(__dirname, '../../..', '../shared/fixtures/cose/sign1-tests');

interface Example {
  title: string;
  fail?: boolean;
  input: { plaintext: string; sign0: { key: JsonWebKey; external?: string } };
  intermediates?: { ToBeSign_hex?: string };
  output: { cbor: string };
}

const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();
const examples = files.map((f) => ({ file: f, ex: JSON.parse(readFileSync(path.join(DIR, f), 'utf8')) as Example }));

test('the fixture folder holds passing and failing examples', () => {
  expect(examples.filter((e) => e.ex.fail).length).toBeGreaterThan(0);
  expect(examples.filter((e) => !e.ex.fail).length).toBeGreaterThan(0);
});

describe.each(examples)('$file', ({ ex }) => {
  const jwk = ex.input.sign0.key;
  const publicKey = createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, format: 'jwk' });
  const message = Buffer.from(ex.output.cbor, 'hex');
  const externalAad = ex.input.sign0.external ? Buffer.from(ex.input.sign0.external, 'hex') : undefined;
  const run = () => verifySign1(message, publicKey, externalAad ? { externalAad } : {});

  if (ex.fail) {
    it(`is refused: ${ex.title}`, () => {
      let err: unknown;
      try { run(); } catch (e) { err = e; }
      expect(isHandoverError(err)).toBe(true);
      expect(['ERR_COSE_INVALID', 'ERR_COSE_SIGNATURE', 'ERR_COSE_ALG']).toContain((err as { code: string }).code);
    });
  } else {
    it(`verifies: ${ex.title}`, () => {
      const r = run();
      expect(Buffer.from(r.payload!).toString('utf8')).toBe(ex.input.plaintext);
      expect(r.alg).toBe('ES256');
      expect(Buffer.from(r.kid!).toString('utf8')).toBe(jwk.kid);
      // the same message no longer verifies with another key
      const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
      expect(() => verifySign1(message, other, externalAad ? { externalAad } : {})).toThrow(expect.objectContaining({ code: 'ERR_COSE_SIGNATURE' }));
    });
    it('reproduces the ToBeSign intermediate', () => {
      const d = decodeSign1(message);
      const tbs = encodeCbor(['Signature1', protectedForStructure(d.protectedBytes, d.protectedHeader), externalAad ?? new Uint8Array(0), d.payload]);
      expect(Buffer.from(tbs).toString('hex').toUpperCase()).toBe(ex.intermediates!.ToBeSign_hex);
    });
  }
});
