/** Errors of the provider services (plugin/handover): a provider configuration that cannot be used. */
import { HandoverError } from '../../common/errors';

/** A provider configuration file (or a file it names) that is missing, malformed or unsafe. ERR_CONFIG; CLI exit 1. */
export class ConfigError extends HandoverError {
  constructor(message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super('ERR_CONFIG', message, options);
  }
}
