/**
 * Object 5, Firmware Update: the state machine of the object (State, Update Result, Package,
 * Package URI, Update, Cancel) with the actual fetch, verification and installation left to a
 * pluggable FirmwareUpdateHandler (the SUIT processor plugs in here).
 *
 *   Idle --Package URI / Package written--> Downloading --handler resolves--> Downloaded
 *   Downloading --handler fails--> Idle (Update Result from the error)
 *   Downloaded --Update--> Updating --handler resolves--> Idle, Update Result 1
 *   Updating --handler fails--> Idle or Downloaded (FirmwareUpdateError.state), its Update Result
 *   empty Package URI / empty Package --> Idle, Update Result 0; Cancel --> Idle, Update Result 10
 *
 * Without a handler the device cannot fetch anything: a written Package URI ends at Idle with
 * Update Result 9 (unsupported protocol), as the object's definition prescribes.
 */
import { HandoverError } from '../../common/errors';
import type { ObjectModel } from '../../objects/model';
import { OperationError } from '../errors';
import type { ExecuteArgs } from '../execute-args';
import { ModelObjectEnabler } from '../model-object-enabler';

export const FirmwareState = { IDLE: 0, DOWNLOADING: 1, DOWNLOADED: 2, UPDATING: 3 } as const;

export const FirmwareUpdateResult = {
  INITIAL: 0, SUCCESS: 1, NOT_ENOUGH_FLASH: 2, OUT_OF_RAM: 3, CONNECTION_LOST: 4, INTEGRITY_CHECK_FAILURE: 5,
  UNSUPPORTED_PACKAGE_TYPE: 6, INVALID_URI: 7, UPDATE_FAILED: 8, UNSUPPORTED_PROTOCOL: 9, CANCELLED: 10, DEFERRED: 11,
} as const;

/** A handler's failure, with the Update Result to show and the state to return to. */
export class FirmwareUpdateError extends HandoverError {
  constructor(readonly result: number, message: string, readonly state: 'idle' | 'downloaded' = 'idle', options?: { cause?: unknown }) {
    super('ERR_FIRMWARE_UPDATE', message, { ...options, details: { result } });
  }
}

/** What an installed update reports back (copied to PkgName, PkgVersion and Device/Firmware Version). */
export interface FirmwareInstalled {
  readonly firmwareVersion?: string;
  readonly pkgName?: string;
  readonly pkgVersion?: string;
}

/** The pluggable download/apply. Every method may throw FirmwareUpdateError. */
export interface FirmwareUpdateHandler {
  /** Firmware Update Protocol Support values (0 CoAP, 1 CoAPS, 2 HTTP, 3 HTTPS, ...). Default [0]. */
  readonly protocols?: readonly number[];
  /** Package URI written (non-empty): fetch the package; resolve once it is downloaded and verified. */
  packageUri(uri: string, signal: AbortSignal): Promise<void>;
  /** Package written directly (push delivery); absent when the device only pulls. */
  packageWritten?(pkg: Uint8Array, signal: AbortSignal): Promise<void>;
  /** Update executed in Downloaded: install, resolve on success. */
  update(args: ExecuteArgs): Promise<FirmwareInstalled | void>;
  /** The downloaded package is discarded (reset or Cancel). */
  discard?(): void;
}

/** Called after a successful update (the client updates /3/0/3). */
export type FirmwareInstalledListener = (installed: FirmwareInstalled) => void;

export function firmwareUpdateObject(model: ObjectModel, handler: FirmwareUpdateHandler | undefined, onInstalled: FirmwareInstalledListener): ModelObjectEnabler {
  let download: AbortController | undefined;
  const state = (): number => Number(enabler.get(0, 3) ?? 0n);
  const go = (s: number, result?: number) => {
    enabler.set(0, 3, s);
    if (result !== undefined) enabler.set(0, 5, result);
    if (model.resources.has(12)) enabler.set(0, 12, new Date());
  };
  const resultOf = (e: unknown, fallback: number) => (e instanceof FirmwareUpdateError ? e.result : fallback);
  const reset = (result: number) => {
    download?.abort();
    download = undefined;
    handler?.discard?.();
    go(FirmwareState.IDLE, result);
  };
  const startDownload = (run: (signal: AbortSignal) => Promise<void>) => {
    const s = state();
    if (s === FirmwareState.DOWNLOADING || s === FirmwareState.UPDATING) throw OperationError.badRequest('A firmware download or update is in progress');
    const ctl = new AbortController();
    download = ctl;
    go(FirmwareState.DOWNLOADING, FirmwareUpdateResult.INITIAL);
    run(ctl.signal).then(
      () => { if (download === ctl) { download = undefined; go(FirmwareState.DOWNLOADED); } },
      (e: unknown) => { if (download === ctl) { download = undefined; go(FirmwareState.IDLE, resultOf(e, FirmwareUpdateResult.CONNECTION_LOST)); } },
    );
  };

  const enabler: ModelObjectEnabler = new ModelObjectEnabler(model, {
    instances: [{
      id: 0,
      values: {
        1: '',
        3: FirmwareState.IDLE,
        5: FirmwareUpdateResult.INITIAL,
        ...(model.resources.has(8) ? { 8: [...(handler?.protocols ?? [0])] } : {}),
        9: handler?.packageWritten ? 2 : 0,
      },
    }],
    deletable: false,
    resources: {
      0: {
        write: (_iid, node) => {
          const pkg = node.kind === 'singleResource' && node.value instanceof Uint8Array ? node.value : new Uint8Array();
          if (pkg.length === 0 || (pkg.length === 1 && pkg[0] === 0)) { reset(FirmwareUpdateResult.INITIAL); return; }
          const push = handler?.packageWritten?.bind(handler);
          if (!push) throw OperationError.notAllowed('This device only pulls firmware from a Package URI');
          startDownload((signal) => push(pkg, signal));
        },
      },
      1: {
        write: (_iid, node) => {
          const uri = node.kind === 'singleResource' && typeof node.value === 'string' ? node.value : '';
          if (uri === '') { reset(FirmwareUpdateResult.INITIAL); return; }
          if (!handler) {
            setImmediate(() => go(FirmwareState.IDLE, FirmwareUpdateResult.UNSUPPORTED_PROTOCOL));
            return;
          }
          startDownload((signal) => handler.packageUri(uri, signal));
        },
      },
      2: {
        execute: (_iid, args) => {
          if (state() !== FirmwareState.DOWNLOADED || !handler) throw OperationError.notAllowed('Update is executable only in state Downloaded');
          go(FirmwareState.UPDATING, FirmwareUpdateResult.INITIAL);
          setImmediate(() => {
            handler.update(args).then(
              (installed) => {
                if (installed?.pkgName !== undefined && model.resources.has(6)) enabler.set(0, 6, installed.pkgName);
                if (installed?.pkgVersion !== undefined && model.resources.has(7)) enabler.set(0, 7, installed.pkgVersion);
                go(FirmwareState.IDLE, FirmwareUpdateResult.SUCCESS);
                onInstalled(installed ?? {});
              },
              (e: unknown) => {
                const back = e instanceof FirmwareUpdateError && e.state === 'downloaded' ? FirmwareState.DOWNLOADED : FirmwareState.IDLE;
                go(back, resultOf(e, FirmwareUpdateResult.UPDATE_FAILED));
              },
            );
          });
        },
      },
      10: {
        execute: () => {
          if (state() === FirmwareState.UPDATING) throw OperationError.notAllowed('The update is being installed');
          reset(FirmwareUpdateResult.CANCELLED);
        },
      },
    },
  });
  return enabler;
}
