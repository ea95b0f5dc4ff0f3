/** Campaign engine: one BullMQ job per device carried through generic steps. Public names only. */
export type {
  CampaignDefinition, CampaignInput, CampaignProgress, CampaignRecord, CampaignState, DeviceEvent, DeviceOutcome,
  DeviceState, DeviceStatus, StepContext, StepHandler, StepOutcome,
} from './types';
export { DEVICE_STATES, FINAL_STATES } from './types';
export { CampaignStore, MAX_DEVICES } from './campaign-store';
export { CampaignControl, type CampaignControlOptions, type DeviceJobData } from './campaign-control';
export { CampaignEngine, type CampaignEngineOptions, type CampaignEngineEvents } from './campaign-engine';
export { CampaignNotFoundError, CampaignStateError, StepOutcomeError, WindowClosedError } from './errors';
export { jobIdFor } from './keys';
export { formatProgress, progressBar } from './progress-format';
