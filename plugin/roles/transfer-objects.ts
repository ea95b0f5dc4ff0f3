/**
 * Where the trust-transfer objects live on a device (docs/objects.md): Transfer 33001, Trust
 * Store 33002, Enrollment 33003 by default; a deployment may remap them with
 * HANDOVER_OBJECT_IDS="transfer:34001,truststore:34002,enrollment:34003" (server, plugin and
 * devices must agree). Also the Trust Store purposes and the Transfer states, as numbers.
 */
import { InvalidInputError } from '../../common/errors';

export interface TransferObjectIds {
  readonly transfer: number;
  readonly trustStore: number;
  readonly enrollment: number;
}

export const DEFAULT_OBJECT_IDS: TransferObjectIds = Object.freeze({ transfer: 33001, trustStore: 33002, enrollment: 33003 });

/** The ids from HANDOVER_OBJECT_IDS (or the given text); private range 32769–42768 only. */
export function objectIdsFromEnv(text: string | undefined = process.env.HANDOVER_OBJECT_IDS): TransferObjectIds {
  if (!text) return DEFAULT_OBJECT_IDS;
  const ids: Record<string, number> = { ...DEFAULT_OBJECT_IDS };
  const names: Record<string, keyof TransferObjectIds> = { transfer: 'transfer', truststore: 'trustStore', enrollment: 'enrollment' };
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [name, value] = part.split(':');
    const key = names[name?.toLowerCase() ?? ''];
    const id = Number(value);
    if (!key || !Number.isInteger(id)) throw new InvalidInputError(`HANDOVER_OBJECT_IDS: "${part}" is not name:id (names transfer, truststore, enrollment)`);
    if (id < 32769 || id > 42768) throw new InvalidInputError(`HANDOVER_OBJECT_IDS: ${id} is outside the private range 32769-42768`);
    ids[key] = id;
  }
  return ids as unknown as TransferObjectIds;
}

/** Transfer object resources. */
export const TransferResource = { token: 0, apply: 1, state: 2, resultCode: 3, resultText: 4, counter: 9 } as const;
/** Trust Store resources. */
export const TrustStoreResource = { certificate: 0, thumbprint: 1, purpose: 2, survivesReset: 3, label: 4 } as const;

/** Transfer/State values. */
export const TransferState = {
  idle: 0, received: 1, verified: 2, resetting: 3, attesting: 4, updating: 5, enrolling: 6, joining: 7, done: 8, failed: 9, fallback: 10,
} as const;

/** Trust Store/Purpose values. */
export const TrustPurpose = {
  'enrollment-ca': 0, 'update-server': 1, 'attestation-verifier': 2, 'lwm2m-server': 3, 'provider-signer': 4, 'factory-ca': 5,
} as const;
export type TrustPurposeName = keyof typeof TrustPurpose;

export function isTrustPurpose(v: unknown): v is TrustPurposeName {
  return typeof v === 'string' && Object.prototype.hasOwnProperty.call(TrustPurpose, v);
}
