/**
 * Test helper: the Transfer (33001) and Trust Store (33002) objects on a client-sim device, as
 * plain model-driven enablers that record what the server did (the real device behaviour is
 * client-sim/transfer's). Used by the adapter and role tests.
 */
import { ModelObjectEnabler } from '../../../client-sim/model-object-enabler';
import type { ExecuteArgs } from '../../../client-sim/execute-args';
import { standardModels } from '../../../objects/ddf-loader';

export interface RecordingObjects {
  readonly transfer: ModelObjectEnabler;
  readonly trustStore: ModelObjectEnabler;
  /** Arguments of every Apply execute, in order. */
  readonly applied: ExecuteArgs[];
  /** Token bytes at each Apply. */
  readonly appliedTokens: Uint8Array[];
}

export function recordingObjects(opts: { onApply?: (token: Uint8Array) => void } = {}): RecordingObjects {
  const models = standardModels();
  const applied: ExecuteArgs[] = [];
  const appliedTokens: Uint8Array[] = [];
  const transfer: ModelObjectEnabler = new ModelObjectEnabler(models.getObject(33001)!, {
    instances: [{ id: 0, values: { 2: 0n, 3: 0n, 9: 0n } }],
    resources: {
      1: {
        execute: (_i, args) => {
          applied.push(args);
          const token = transfer.get(0, 0) as Uint8Array;
          appliedTokens.push(token);
          opts.onApply?.(token);
        },
      },
    },
  });
  const trustStore = new ModelObjectEnabler(models.getObject(33002)!, {});
  return { transfer, trustStore, applied, appliedTokens };
}
