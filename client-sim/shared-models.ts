/**
 * The standard object models (objects/ddf), parsed once per process and shared by every
 * simulated device: parsing the DDF files costs ~8 ms and ~200 KB each time, and the models are
 * immutable (readonly ObjectModel, a StaticModelProvider with no mutator), so one copy serves a
 * whole fleet. A device given its own `models` option uses those instead.
 */
import { standardModels } from '../objects/ddf-loader';
import type { StaticModelProvider } from '../objects/model';

let shared: StaticModelProvider | undefined;

/** The standard models, parsed on first use. */
export function sharedStandardModels(): StaticModelProvider {
  shared ??= standardModels();
  return shared;
}
