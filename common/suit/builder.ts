/**
 * The manifest builder of update servers: from a JSON description and the firmware images, the
 * SUIT_Manifest of the draft's templates (§7): compatibility check in the shared sequence
 * (vendor and class id), image match in validate, download-and-install (override uri, fetch,
 * image match) in install when a component has a URI, invoke when it is bootable. With
 * `createSuitEnvelope` it is signed into an envelope, severing install and text when asked.
 */
import type { KeyObject } from 'node:crypto';
import type { CoseAlg } from '../cose/sign1';
import { InvalidInputError } from '../errors';
import { type SealOptions, sealSuitEnvelope } from './authentication';
import type { SuitCommand } from './command-sequence';
import { type SuitDigest, type SuitDigestAlg, SuitDigestAlgorithm, computeSuitDigest } from './digest';
import type { SuitComponentDescription, SuitManifestDescription } from './description';
import type { SuitManifest, SuitSeverableName } from './manifest';
import type { SuitText, SuitTextLanguage } from './text';
import { UUID_NAMESPACE_DNS, parseUuid, uuid5 } from './uuid';

/** Reporting policy of conditions (record and sysinfo on success and failure) and directives (as suit-tool). */
const CONDITION_POLICY = 15;
const DIRECTIVE_POLICY = 2;

function identity(c: SuitComponentDescription, i: number): { vendorId: Uint8Array; classId: Uint8Array } {
  const texts = [...c.text.values()];
  const domain = texts.find((t) => t.vendorDomain)?.vendorDomain;
  const info = texts.find((t) => t.modelInfo)?.modelInfo;
  const vendorId = c.vendorId ? parseUuid(c.vendorId) : domain ? uuid5(UUID_NAMESPACE_DNS, domain) : undefined;
  if (!vendorId) throw new InvalidInputError(`components[${i}] needs a vendor-id (or a vendor-domain text to derive it)`);
  const classId = c.classId ? parseUuid(c.classId) : info ? uuid5(vendorId, info) : undefined;
  if (!classId) throw new InvalidInputError(`components[${i}] needs a class-id (or a model-info text to derive it)`);
  return { vendorId, classId };
}

function imageFacts(c: SuitComponentDescription, i: number, image: Uint8Array | undefined): { digest: SuitDigest; size: number } {
  let declared: SuitDigest | undefined;
  if (c.installDigest) {
    const alg = c.installDigest.alg as SuitDigestAlg;
    if (!(alg in SuitDigestAlgorithm)) throw new InvalidInputError(`components[${i}]: digest algorithm "${c.installDigest.alg}" is not supported`);
    declared = { alg, bytes: new Uint8Array(Buffer.from(c.installDigest.hex, 'hex')) };
  }
  if (!image) {
    if (!declared || c.installSize === undefined) throw new InvalidInputError(`components[${i}] needs an image, or an install-digest and install-size`);
    return { digest: declared, size: c.installSize };
  }
  const digest = computeSuitDigest(image, declared?.alg ?? 'sha256');
  if (declared && Buffer.compare(declared.bytes, digest.bytes) !== 0) throw new InvalidInputError(`components[${i}]: the image does not match install-digest`);
  if (c.installSize !== undefined && c.installSize !== image.length) throw new InvalidInputError(`components[${i}]: the image has ${image.length} bytes, install-size says ${c.installSize}`);
  return { digest, size: image.length };
}

/** Per component, the commands of one sequence, prefixed with set-component-index when there are several. */
function sequence(n: number, per: (i: number) => SuitCommand[] | undefined): SuitCommand[] | undefined {
  const out: SuitCommand[] = [];
  for (let i = 0; i < n; i++) {
    const cmds = per(i);
    if (!cmds) continue;
    if (n > 1) out.push({ kind: 'set-component-index', index: i });
    out.push(...cmds);
  }
  return out.length ? out : undefined;
}

function text(desc: SuitManifestDescription): SuitText | undefined {
  const langs = new Set<string>([...desc.text.keys(), ...desc.components.flatMap((c) => [...c.text.keys()])]);
  if (desc.includeJson && langs.size === 0) langs.add('en-US');
  const out = new Map<string, SuitTextLanguage>();
  for (const lang of langs) {
    const manifest = { ...desc.text.get(lang), ...(desc.includeJson ? { manifestJsonSource: desc.source } : {}) };
    const components = desc.components.flatMap((c) => (c.text.has(lang) ? [{ component: c.installId, text: { ...c.text.get(lang) } }] : []));
    out.set(lang, { manifest, components });
  }
  return out.size ? out : undefined;
}

/**
 * The manifest for `desc`; `images[i]` is the image of component i (its digest and size are
 * computed and must agree with the description when it gives them too).
 */
export function buildSuitManifest(desc: SuitManifestDescription, images: ReadonlyArray<Uint8Array | undefined> = []): SuitManifest {
  const n = desc.components.length;
  if (images.length > n) throw new InvalidInputError(`${images.length} images for ${n} components`);
  const comps = desc.components.map((c, i) => ({ c, ...identity(c, i), ...imageFacts(c, i, images[i]) }));
  const shared = sequence(n, (i) => [
    { kind: 'override-parameters', parameters: { vendorId: comps[i].vendorId, classId: comps[i].classId, imageDigest: comps[i].digest, imageSize: comps[i].size } },
    { kind: 'condition', name: 'vendor-identifier', reportingPolicy: CONDITION_POLICY },
    { kind: 'condition', name: 'class-identifier', reportingPolicy: CONDITION_POLICY },
  ]);
  const validate = sequence(n, () => [{ kind: 'condition', name: 'image-match', reportingPolicy: CONDITION_POLICY }]);
  const invoke = sequence(n, (i) => (comps[i].c.bootable ? [{ kind: 'action', name: 'invoke', reportingPolicy: DIRECTIVE_POLICY }] : undefined));
  const install = sequence(n, (i) => {
    const uri = comps[i].c.uri;
    if (uri === undefined) return undefined;
    return [
      { kind: 'override-parameters', parameters: { uri } },
      { kind: 'action', name: 'fetch', reportingPolicy: DIRECTIVE_POLICY },
      { kind: 'condition', name: 'image-match', reportingPolicy: CONDITION_POLICY },
    ];
  });
  const t = text(desc);
  return {
    version: 1,
    sequenceNumber: desc.sequenceNumber,
    common: { components: desc.components.map((c) => c.installId), ...(shared ? { sharedSequence: shared } : {}) },
    ...(desc.referenceUri !== undefined ? { referenceUri: desc.referenceUri } : {}),
    ...(validate ? { validate } : {}),
    ...(invoke ? { invoke } : {}),
    ...(install ? { install: { value: install } } : {}),
    ...(t ? { text: { value: t } } : {}),
  };
}

export interface CreateEnvelopeOptions {
  readonly key: KeyObject;
  readonly alg: CoseAlg;
  readonly kid?: Uint8Array;
  readonly integratedPayloads?: SealOptions['integratedPayloads'];
}

/** Build and sign: the envelope for `desc` (install, payload fetch and text severed when desc.severable). */
export function createSuitEnvelope(desc: SuitManifestDescription, images: ReadonlyArray<Uint8Array | undefined>, opts: CreateEnvelopeOptions): Uint8Array {
  const manifest = buildSuitManifest(desc, images);
  const sever: SuitSeverableName[] = desc.severable ? ['payloadFetch', 'install', 'text'] : [];
  return sealSuitEnvelope(manifest, { ...opts, sever });
}
