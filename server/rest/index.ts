/**
 * The public API of the operator REST layer: the HTTP server, the application that composes it
 * with Redis and the LwM2M server, the contract it needs from the server, the pieces mounted
 * routes build replies with, and the Leshan JSON serialisers (for the Leshan bridge).
 */
export { RestApi } from './rest-api';
export type { RestApiOptions, MountedRoute } from './rest-api';
export { startServerApp } from './app';
export type { ServerApp, ServerAppOptions } from './app';
export type {
  DeviceManagement, RegistrationLookup, SecurityInfoStore, ServerEventSource, ClientSecurityInfo,
} from './device-management';
export { BearerAuth, generateToken, MIN_TOKEN_LENGTH } from './auth';
export { HttpError, jsonReply, textReply, emptyReply, parseJsonBody } from './http-exchange';
export type { ApiRequest, ApiReply } from './http-exchange';
export type { ServerEndpointInfo } from './server-handler';
export { nodeToJson, nodesToJson, valueToJson, javaDoubleToString } from './node-json';
export type { Json } from './node-json';
export { registrationToJson, registrationUpdateToJson, linkToJson } from './registration-json';
export { responseToJson, delayedToJson, responseStatus } from './response-json';
export { parseWriteNode, parseTextWrite, parseCreateInstance, parseCompositeNodes, valueFromJson } from './node-parser';
export { securityInfoToJson, parseSecurityInfo } from './security-json';
export { objectModelToJson } from './objectspec-json';
