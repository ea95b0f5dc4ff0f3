/**
 * Device responses as Leshan's demo server writes them (JacksonResponseSerializer): status,
 * valid, success, failure, then content | objectLinks | location, then errormessage on failure;
 * and the "delayed" answer for a request queued to a sleeping client.
 */
import { isSuccess, RESPONSE_NAMES, type DelayedResponse, type LwM2mResponse } from '../requests';
import { nodesToJson, nodeToJson, type Json } from './node-json';
import { linkToJson } from './registration-json';

/** "2.05" → "CONTENT(205)"; an unknown code keeps its number, e.g. "UNKNOWN(299)". */
export function responseStatus(code: string): string {
  const name = RESPONSE_NAMES[code] ?? 'UNKNOWN';
  return `${name}(${code.replace('.', '')})`;
}

/** A device response (success or device-side failure). */
export function responseToJson(res: LwM2mResponse): Json {
  const success = isSuccess(res.code);
  const o: { [key: string]: Json } = {
    status: responseStatus(res.code),
    valid: RESPONSE_NAMES[res.code] !== undefined,
    success,
    failure: !success,
  };
  if (res.content !== undefined) o.content = nodeToJson(res.content);
  else if (res.contents !== undefined) o.content = nodesToJson(res.contents);
  else if (res.objectLinks !== undefined) o.objectLinks = res.objectLinks.map(linkToJson);
  else if (res.location !== undefined) o.location = res.location;
  if (!success && res.errorMessage) o.errormessage = res.errorMessage;
  return o;
}

/**
 * The answer for a request queued to a sleeping client (`response` absent), and, with the
 * response, the REQUEST_RESPONSE event that follows: `{ep, path, requestId, response, delayed}`.
 */
export function delayedToJson(ep: string, requestId: string, path: string | undefined, response?: LwM2mResponse): Json {
  const o: { [key: string]: Json } = { ep };
  if (path !== undefined) o.path = path;
  o.requestId = requestId;
  if (response !== undefined) o.response = responseToJson(response);
  o.delayed = true;
  return o;
}

export function isDelayed(r: LwM2mResponse | DelayedResponse): r is DelayedResponse {
  return (r as DelayedResponse).delayed === true;
}
