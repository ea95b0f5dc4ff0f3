/**
 * Object 33001 Transfer on the device (single instance 0): Token (W) and Apply (E) are the old
 * provider's handles; State, Result and the token's instructions (R) are the agent's view,
 * rendered here from its state. A Token write while a transfer runs is refused with 4.00; an
 * Apply without a token with 4.05. The outcome of Apply is reported in State / Result (a server
 * observes them), not in the Execute answer, which only says the device took the order.
 */
import type { ObjectModel } from '../../objects/model';
import { OperationError } from '../errors';
import type { Caller } from '../object-enabler';
import { AgentObjectEnabler, type AgentObjectOwner } from './agent-object';
import { TransferResult, TransferStep, isRunning } from './transfer-codes';

/** Largest token accepted (RangeEnumeration of Token). */
export const MAX_TOKEN_BYTES = 2048;

const RES = {
  token: 0, apply: 1, state: 2, resultCode: 3, resultText: 4, notBefore: 5, notAfter: 6, targetUri: 7, fallbackUri: 8,
  counter: 9, tokenId: 10, protocol: 11, enrollUri: 12, updateUri: 13, updateFirst: 14, raUri: 15,
} as const;

/** What the Transfer object shows (the agent's state). */
export interface TransferView {
  readonly step: TransferStep;
  readonly resultCode: TransferResult;
  readonly resultText: string;
  readonly lastCounter: number;
  readonly instructions?: {
    readonly notBefore: number; readonly notAfter: number; readonly bootstrapUri: string; readonly fallbackUri: string;
    readonly cti: Uint8Array; readonly enrollUri: string; readonly updateUri: string; readonly updateFirst: boolean; readonly raUri: string | null;
  };
}

export interface TransferObjectActions {
  /** A token was written by `caller` (already stored). */
  tokenWritten(caller: Caller): void;
  /** Apply was executed. */
  apply(caller: Caller): Promise<void>;
  /** The current step (to refuse writes while running). */
  step(): TransferStep;
}

export class TransferObjectEnabler extends AgentObjectEnabler {
  constructor(model: ObjectModel, owner: AgentObjectOwner, actions: TransferObjectActions) {
    const self: { enabler?: TransferObjectEnabler } = {};
    super(model, {
      instances: [{ id: 0, values: { [RES.token]: new Uint8Array(), [RES.state]: 0, [RES.resultCode]: 0, [RES.counter]: 0, [RES.protocol]: 0 } }],
      resources: {
        [RES.token]: {
          write: (_i, node) => {
            if (isRunning(actions.step())) throw OperationError.badRequest('a transfer is in progress: the token cannot be replaced');
            if (node.kind !== 'singleResource' || !(node.value instanceof Uint8Array) || node.value.length === 0) throw OperationError.badRequest('Token must be a non-empty opaque value');
            if (node.value.length > MAX_TOKEN_BYTES) throw OperationError.badRequest(`Token is larger than ${MAX_TOKEN_BYTES} bytes`);
          },
        },
        [RES.apply]: {
          execute: async (_i, _args, caller) => {
            if (isRunning(actions.step())) throw OperationError.badRequest('a transfer is already in progress');
            if (self.enabler!.token().length === 0) throw OperationError.notAllowed('no token to apply: write Token first');
            await actions.apply(caller);
          },
        },
      },
      deletable: false,
    }, owner);
    self.enabler = this;
    // the token is stored after the write hook ran: the agent hears of it through the change
    this.onTokenStored = (caller) => actions.tokenWritten(caller);
  }

  private onTokenStored?: (caller: Caller) => void;

  override async write(...args: Parameters<AgentObjectEnabler['write']>): Promise<void> {
    await super.write(...args);
    const [, resources, , caller] = args;
    if (resources.some((n) => n.id === RES.token)) this.onTokenStored?.(caller);
  }

  /** The written token (empty when none). */
  token(): Uint8Array {
    const t = this.get(0, RES.token);
    return t instanceof Uint8Array ? t : new Uint8Array();
  }

  /** Forget the written token (after Apply consumed or refused it). */
  clearToken(): void {
    this.set(0, RES.token, new Uint8Array());
  }

  /** Show the agent's state. */
  render(v: TransferView): void {
    this.set(0, RES.state, v.step);
    this.set(0, RES.resultCode, v.resultCode);
    if (v.resultText) this.set(0, RES.resultText, v.resultText.slice(0, 255));
    else this.unset(0, RES.resultText);
    this.set(0, RES.counter, v.lastCounter);
    const i = v.instructions;
    if (!i) {
      for (const rid of [RES.notBefore, RES.notAfter, RES.targetUri, RES.fallbackUri, RES.tokenId, RES.enrollUri, RES.updateUri, RES.updateFirst, RES.raUri]) this.unset(0, rid);
      return;
    }
    this.set(0, RES.notBefore, new Date(i.notBefore * 1000));
    this.set(0, RES.notAfter, new Date(i.notAfter * 1000));
    this.set(0, RES.targetUri, i.bootstrapUri);
    this.set(0, RES.fallbackUri, i.fallbackUri);
    this.set(0, RES.tokenId, i.cti);
    this.set(0, RES.enrollUri, i.enrollUri);
    this.set(0, RES.updateUri, i.updateUri);
    this.set(0, RES.updateFirst, i.updateFirst);
    this.set(0, RES.raUri, i.raUri ?? '');
  }
}
