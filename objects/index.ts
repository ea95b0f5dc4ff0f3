/**
 * The public names of objects/: models and their DDF loader, the node tree, paths, values, and
 * the content-format codecs. Everything not listed here is internal to objects/.
 */
export type { ObjectModel, ResourceModel, ResourceType, Operations, ModelProvider } from './model';
export { StaticModelProvider } from './model';
export { loadDdf, loadDdfFile, loadDdfDirectory, ddfDirectory, standardModels } from './ddf-loader';
export type {
  LwM2mNode, LwM2mRoot, LwM2mObject, ObjectInstance, ResourceNode, SingleResource, MultiResource,
  ResourceInstance, ResourceValue, ObjLink, TimestampedNode,
} from './node';
export { NULL_OBJLNK, singleResource, multiResource, resourceInstance, objectInstance, lwm2mObject } from './node';
export { nodeAtPath } from './node-at-path';
export { LwM2mPath } from './path';
export type { Link } from './link';
export { ContentFormat, FORMAT_BY_NAME } from './content-format';
export type { ContentFormatCode } from './content-format';
export type { NodeCodec } from './codec';
export { PayloadError, UnsupportedFormatError } from './errors';
export {
  checkValue, valueToText, valueFromText, objLinkToText, objLinkFromText, dateFromSeconds, secondsFromDate,
  isObjLink, INT64_MIN, INT64_MAX, UINT64_MAX,
} from './value';
export { codecFor, codecByName, supportedFormats } from './codecs/index';
export { parseLinks, formatLinks, quote, unquote, attributeValue } from './codecs/link-format';
