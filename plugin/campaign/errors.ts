/** Errors of the campaign engine (HandoverError subclasses; callers use instanceof or `code`). */
import { HandoverError } from '../../common/errors';

/** No campaign with that id under this key prefix. */
export class CampaignNotFoundError extends HandoverError {
  constructor(readonly campaignId: string) {
    super('ERR_NOT_FOUND', `campaign "${campaignId}" not found`, { details: { campaignId } });
  }
}

/** The operation is not allowed in the campaign's current state (e.g. resume a cancelled campaign). */
export class CampaignStateError extends HandoverError {
  constructor(readonly campaignId: string, readonly state: string, operation: string) {
    super('ERR_CAMPAIGN', `campaign "${campaignId}" is ${state}: cannot ${operation}`, { details: { campaignId, state, operation } });
  }
}

/** Given to onFinalFailure when a device reaches the campaign's not-after time unfinished. */
export class WindowClosedError extends HandoverError {
  readonly reason = 'window-closed';
  constructor(readonly campaignId: string, readonly notAfter: number) {
    super('ERR_CAMPAIGN', `campaign "${campaignId}" window closed at ${new Date(notAfter).toISOString()}`, { details: { campaignId, notAfter } });
  }
}

/** A step handler returned something that is not a StepOutcome, or named an unknown step. */
export class StepOutcomeError extends HandoverError {
  constructor(message: string) {
    super('ERR_CAMPAIGN', message);
  }
}
