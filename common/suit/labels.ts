/**
 * The integer labels of draft-ietf-suit-manifest (Appendix A, IANA §11): envelope, manifest,
 * common, command, parameter and text keys, plus the COSE hash algorithm ids of SUIT_Digest.
 * Names follow the CDDL with the `suit-` prefix dropped.
 */

/** SUIT_Envelope keys (§11.1); tstr keys are integrated payloads. */
export const SuitEnvelopeKey = {
  AUTHENTICATION_WRAPPER: 2,
  MANIFEST: 3,
  PAYLOAD_FETCH: 16,
  INSTALL: 20,
  TEXT: 23,
} as const;

/** CBOR tag of SUIT_Envelope_Tagged. */
export const SUIT_ENVELOPE_TAG = 107;
/** CBOR tag of SUIT_Manifest_Tagged (a bare manifest, not accepted: it carries no authentication). */
export const SUIT_MANIFEST_TAG = 1070;
/** CBOR tag of cbor-pen vendor identifiers. */
export const SUIT_CBOR_PEN_TAG = 112;

/** SUIT_Manifest keys (§11.2). */
export const SuitManifestKey = {
  VERSION: 1,
  SEQUENCE_NUMBER: 2,
  COMMON: 3,
  REFERENCE_URI: 4,
  VALIDATE: 7,
  LOAD: 8,
  INVOKE: 9,
  PAYLOAD_FETCH: 16,
  INSTALL: 20,
  TEXT: 23,
} as const;

/** SUIT_Common keys (§11.3). */
export const SuitCommonKey = { COMPONENTS: 2, SHARED_SEQUENCE: 4 } as const;

/** Condition codes (§11.4). */
export const SuitConditionCode = {
  'vendor-identifier': 1,
  'class-identifier': 2,
  'image-match': 3,
  'component-slot': 5,
  'check-content': 6,
  abort: 14,
  'device-identifier': 24,
} as const;
export type SuitConditionName = keyof typeof SuitConditionCode;

/** Directive codes that take a reporting policy (§11.4). */
export const SuitActionCode = {
  write: 18,
  fetch: 21,
  copy: 22,
  invoke: 23,
  swap: 31,
} as const;
export type SuitActionName = keyof typeof SuitActionCode;

/** Flow-control directive codes that take an argument (§11.4). */
export const SuitFlowCode = {
  'set-component-index': 12,
  'try-each': 15,
  'override-parameters': 20,
  'run-sequence': 32,
} as const;

/** SUIT_Parameters keys (§11.5). */
export const SuitParameterKey = {
  vendorId: 1,
  classId: 2,
  imageDigest: 3,
  componentSlot: 5,
  strictOrder: 12,
  softFailure: 13,
  imageSize: 14,
  content: 18,
  uri: 21,
  sourceComponent: 22,
  invokeArgs: 23,
  deviceId: 24,
  fetchArguments: 25,
} as const;
export type SuitParameterName = keyof typeof SuitParameterKey;

/** SUIT_Text_Keys (§11.6). */
export const SuitTextKey = {
  manifestDescription: 1,
  updateDescription: 2,
  manifestJsonSource: 3,
  manifestYamlSource: 4,
} as const;

/** SUIT_Text_Component_Keys (§11.7). */
export const SuitComponentTextKey = {
  vendorName: 1,
  modelName: 2,
  vendorDomain: 3,
  modelInfo: 4,
  componentDescription: 5,
  componentVersion: 6,
} as const;

/** The reporting-policy bits (§8.4.7); any other bit makes the policy invalid. */
export const SUIT_REPORTING_BITS = 0b1111;

/** The inverse of a label table. */
export function labelName<T extends Record<string, number>>(table: T, value: number): keyof T | undefined {
  for (const [name, v] of Object.entries(table)) if (v === value) return name as keyof T;
  return undefined;
}
