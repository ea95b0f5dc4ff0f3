/**
 * Loading a PKCS#11 module once per process. Cryptoki is initialised per process, not per
 * caller: a second C_Initialize answers CKR_CRYPTOKI_ALREADY_INITIALIZED and one C_Finalize ends
 * it for everyone. So the modules are reference counted here and finalised when the last user
 * lets go. The module reads its configuration (SoftHSM2: SOFTHSM2_CONF) at initialisation.
 */
import * as pkcs11js from 'pkcs11js';
import { Pkcs11Error } from './errors';

interface Loaded {
  lib: pkcs11js.PKCS11;
  refs: number;
  /** False when someone else in the process initialised Cryptoki: then we never finalise it. */
  owned: boolean;
}

const modules = new Map<string, Loaded>();

/** Describe a pkcs11js failure in one line (the CKR_ name is in the message). */
export function pkcs11Message(e: unknown): string {
  return e instanceof Error ? e.message.split('\n')[0] : String(e);
}

/** The initialised module at `path` (load + C_Initialize on first use). Pair with releaseModule. */
export function acquireModule(path: string): pkcs11js.PKCS11 {
  const found = modules.get(path);
  if (found) {
    found.refs++;
    return found.lib;
  }
  const lib = new pkcs11js.PKCS11();
  try {
    lib.load(path);
  } catch (e) {
    throw new Pkcs11Error(`cannot load PKCS#11 module ${path}: ${pkcs11Message(e)}`, { cause: e });
  }
  let owned = true;
  try {
    lib.C_Initialize();
  } catch (e) {
    if (!pkcs11Message(e).includes('CKR_CRYPTOKI_ALREADY_INITIALIZED')) {
      lib.close();
      throw new Pkcs11Error(`cannot initialise PKCS#11 module ${path}: ${pkcs11Message(e)}`, { cause: e });
    }
    owned = false;
  }
  modules.set(path, { lib, refs: 1, owned });
  return lib;
}

/** Let go of a module acquired with acquireModule; the last release finalises and unloads it. */
export function releaseModule(path: string): void {
  const found = modules.get(path);
  if (!found) return;
  if (--found.refs > 0) return;
  modules.delete(path);
  try {
    if (found.owned) found.lib.C_Finalize();
  } finally {
    found.lib.close();
  }
}
