/**
 * A CA signer whose EC private key lives in a PKCS#11 token (the paper asks for dedicated HSMs
 * at the CA; SoftHSM2 stands in for one in tests). The key pair is generated inside the token
 * with C_GenerateKeyPair (private half sensitive, never extractable); signing is CKM_ECDSA over
 * a SHA-256 (P-256) or SHA-384 (P-384) digest computed here, which returns raw r||s. X.509
 * generation receives the raw form (its formatter encodes the DER Ecdsa-Sig-Value); `sign()`
 * returns DER directly for other users.
 *
 * pkcs11js calls are synchronous: a signature blocks the event loop for its duration (about a
 * millisecond on SoftHSM2), acceptable for a CA.
 */
import { KeyObject, createHash, createPublicKey, randomBytes, webcrypto } from 'node:crypto';
import * as pkcs11js from 'pkcs11js';
import { signingAlgorithm, type SigningAlgorithm } from './algorithms';
import { ecdsaRawToDer } from './ecdsa-signature';
import { Pkcs11Error } from './errors';
import { acquireModule, pkcs11Message, releaseModule } from './pkcs11-module';
import type { CaSigner } from './signer';
import type { WebCrypto, WebCryptoKey } from './x509';

/** Where a CA key lives in a token. `slot` is a slot ID (as softhsm2-util --show-slots prints it). */
export interface Pkcs11KeyRef {
  kind: 'pkcs11';
  module: string;
  slot?: number;
  tokenLabel?: string;
  pin: string;
  keyLabel: string;
}

/** Options to create a CA key in a token. */
export interface Pkcs11KeyOptions extends Pkcs11KeyRef {
  /** Default P-256. */
  curve?: 'P-256' | 'P-384';
}

type Curve = 'P-256' | 'P-384';
const CURVE_PARAMS: Record<Curve, { oid: Buffer; size: number; hash: string }> = {
  // DER OBJECT IDENTIFIERs: prime256v1 1.2.840.10045.3.1.7, secp384r1 1.3.132.0.34
  'P-256': { oid: Buffer.from('06082a8648ce3d030107', 'hex'), size: 32, hash: 'sha256' },
  'P-384': { oid: Buffer.from('06052b81040022', 'hex'), size: 48, hash: 'sha384' },
};

function slotId(handle: Buffer): number {
  return handle.length >= 8 ? Number(handle.readBigUInt64LE(0)) : handle.readUInt32LE(0);
}

function wrap<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof Pkcs11Error) throw e;
    throw new Pkcs11Error(`${what}: ${pkcs11Message(e)}`, { cause: e });
  }
}

/** The uncompressed EC point from CKA_EC_POINT (DER OCTET STRING around it, or bare). */
function ecPoint(value: Buffer, size: number): Buffer {
  if (value.length === 2 * size + 1 && value[0] === 0x04) return value;
  if (value[0] === 0x04 && value[1] === 2 * size + 1 && value.length === 2 * size + 3) return value.subarray(2);
  if (value[0] === 0x04 && value[1] === 0x81 && value[2] === 2 * size + 1) return value.subarray(3);
  throw new Pkcs11Error('the token returned an EC point this module does not understand');
}

export class Pkcs11Signer implements CaSigner {
  readonly algorithm: Curve;
  readonly signingAlgorithm: SigningAlgorithm;
  readonly signingKey: WebCryptoKey;
  readonly crypto: WebCrypto;
  private closed = false;

  private constructor(
    private readonly lib: pkcs11js.PKCS11,
    private readonly session: Buffer,
    private readonly privateHandle: Buffer,
    readonly publicKey: KeyObject,
    readonly ref: Omit<Pkcs11KeyRef, 'pin'>,
    curve: Curve,
  ) {
    this.algorithm = curve;
    this.signingAlgorithm = signingAlgorithm(curve);
    // A stand-in WebCryptoKey: @peculiar/x509 only reads its algorithm and hands it back to sign().
    this.signingKey = { type: 'private', extractable: false, algorithm: { name: 'ECDSA', namedCurve: curve }, usages: ['sign'] } as unknown as WebCryptoKey;
    const base = webcrypto.subtle;
    const subtle = {
      sign: async (alg: unknown, key: unknown, data: ArrayBuffer | ArrayBufferView) => {
        if (key !== this.signingKey) return base.sign(alg as never, key as never, data as never);
        const bytes = ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);
        const raw = this.signRaw(bytes);
        return raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength);
      },
      verify: base.verify.bind(base),
      digest: base.digest.bind(base),
      importKey: base.importKey.bind(base),
      exportKey: base.exportKey.bind(base),
    };
    this.crypto = { subtle, getRandomValues: webcrypto.getRandomValues.bind(webcrypto) } as unknown as WebCrypto;
  }

  /**
   * Open the key `ref.keyLabel` in the token (generate: create it first, refusing a label that
   * is already taken). A wrong PIN, missing token or key is a Pkcs11Error.
   */
  static async open(ref: Pkcs11KeyOptions, opts: { generate?: boolean } = {}): Promise<Pkcs11Signer> {
    const lib = acquireModule(ref.module);
    let session: Buffer | undefined;
    try {
      const slot = Pkcs11Signer.findSlot(lib, ref);
      const s = wrap('cannot open a session', () => lib.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION));
      session = s;
      try {
        lib.C_Login(s, pkcs11js.CKU_USER, ref.pin);
      } catch (e) {
        if (!pkcs11Message(e).includes('CKR_USER_ALREADY_LOGGED_IN')) throw new Pkcs11Error(`token login failed: ${pkcs11Message(e)}`, { cause: e });
      }
      const existing = Pkcs11Signer.find(lib, s, pkcs11js.CKO_PRIVATE_KEY, ref.keyLabel);
      let priv: Buffer;
      let pub: Buffer | undefined;
      if (opts.generate) {
        if (existing) throw new Pkcs11Error(`the token already holds a key labelled "${ref.keyLabel}"`);
        ({ privateKey: priv, publicKey: pub } = Pkcs11Signer.generate(lib, s, ref.keyLabel, ref.curve ?? 'P-256'));
      } else {
        if (!existing) throw new Pkcs11Error(`no private key labelled "${ref.keyLabel}" in the token`);
        priv = existing;
        pub = Pkcs11Signer.find(lib, s, pkcs11js.CKO_PUBLIC_KEY, ref.keyLabel);
        if (!pub) throw new Pkcs11Error(`no public key labelled "${ref.keyLabel}" in the token`);
      }
      const { publicKey, curve } = Pkcs11Signer.readPublicKey(lib, s, pub);
      const { pin: _pin, curve: _curve, ...stored } = ref;
      return new Pkcs11Signer(lib, s, priv, publicKey, stored, curve);
    } catch (e) {
      if (session) {
        try { lib.C_CloseSession(session); } catch { /* already failing */ }
      }
      releaseModule(ref.module);
      throw e instanceof Pkcs11Error ? e : new Pkcs11Error(pkcs11Message(e), { cause: e });
    }
  }

  private static findSlot(lib: pkcs11js.PKCS11, ref: Pkcs11KeyRef): Buffer {
    if (ref.slot === undefined && ref.tokenLabel === undefined) throw new Pkcs11Error('a PKCS#11 key needs a slot or a tokenLabel');
    const slots = wrap('cannot list slots', () => lib.C_GetSlotList(true));
    for (const slot of slots) {
      if (ref.slot !== undefined && slotId(slot) !== ref.slot) continue;
      if (ref.tokenLabel !== undefined && wrap('cannot read token info', () => lib.C_GetTokenInfo(slot)).label.trim() !== ref.tokenLabel) continue;
      return slot;
    }
    throw new Pkcs11Error(`no token ${ref.tokenLabel !== undefined ? `labelled "${ref.tokenLabel}"` : `in slot ${ref.slot}`}`);
  }

  private static find(lib: pkcs11js.PKCS11, session: Buffer, cls: number, label: string): Buffer | undefined {
    return wrap('cannot search the token', () => {
      lib.C_FindObjectsInit(session, [{ type: pkcs11js.CKA_CLASS, value: cls }, { type: pkcs11js.CKA_LABEL, value: label }]);
      try {
        return lib.C_FindObjects(session) ?? undefined;
      } finally {
        lib.C_FindObjectsFinal(session);
      }
    });
  }

  private static generate(lib: pkcs11js.PKCS11, session: Buffer, label: string, curve: Curve): pkcs11js.KeyPair {
    const id = randomBytes(16);
    return wrap('key generation in the token failed', () => lib.C_GenerateKeyPair(
      session,
      { mechanism: pkcs11js.CKM_EC_KEY_PAIR_GEN },
      [
        { type: pkcs11js.CKA_TOKEN, value: true },
        { type: pkcs11js.CKA_VERIFY, value: true },
        { type: pkcs11js.CKA_LABEL, value: label },
        { type: pkcs11js.CKA_ID, value: id },
        { type: pkcs11js.CKA_EC_PARAMS, value: CURVE_PARAMS[curve].oid },
      ],
      [
        { type: pkcs11js.CKA_TOKEN, value: true },
        { type: pkcs11js.CKA_PRIVATE, value: true },
        { type: pkcs11js.CKA_SIGN, value: true },
        { type: pkcs11js.CKA_SENSITIVE, value: true },
        { type: pkcs11js.CKA_EXTRACTABLE, value: false },
        { type: pkcs11js.CKA_LABEL, value: label },
        { type: pkcs11js.CKA_ID, value: id },
      ],
    ));
  }

  private static readPublicKey(lib: pkcs11js.PKCS11, session: Buffer, pub: Buffer): { publicKey: KeyObject; curve: Curve } {
    const [params, point] = wrap('cannot read the public key', () =>
      lib.C_GetAttributeValue(session, pub, [{ type: pkcs11js.CKA_EC_PARAMS }, { type: pkcs11js.CKA_EC_POINT }]));
    const curve = (Object.keys(CURVE_PARAMS) as Curve[]).find((c) => CURVE_PARAMS[c].oid.equals(params.value as Buffer));
    if (!curve) throw new Pkcs11Error('the token key is not on P-256 or P-384');
    const size = CURVE_PARAMS[curve].size;
    const q = ecPoint(point.value as Buffer, size);
    const publicKey = createPublicKey({
      key: { kty: 'EC', crv: curve, x: q.subarray(1, 1 + size).toString('base64url'), y: q.subarray(1 + size).toString('base64url') },
      format: 'jwk',
    });
    return { publicKey, curve };
  }

  /** Raw r||s ECDSA signature of `data` (hashed here, signed in the token with CKM_ECDSA). */
  signRaw(data: Uint8Array): Buffer {
    if (this.closed) throw new Pkcs11Error('the PKCS#11 signer is closed');
    const { hash, size } = CURVE_PARAMS[this.algorithm];
    const digest = createHash(hash).update(data).digest();
    return wrap('signing in the token failed', () => {
      this.lib.C_SignInit(this.session, { mechanism: pkcs11js.CKM_ECDSA }, this.privateHandle);
      return Buffer.from(this.lib.C_Sign(this.session, digest, Buffer.alloc(2 * size)));
    });
  }

  /** DER (Ecdsa-Sig-Value) signature of `data`, as node:crypto and OpenSSL verify it. */
  sign(data: Uint8Array): Buffer {
    return ecdsaRawToDer(this.signRaw(data));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      this.lib.C_CloseSession(this.session);
    } catch { /* the module may already be finalised */ }
    releaseModule(this.ref.module);
  }
}
