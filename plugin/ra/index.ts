/** Remote attestation: the CoAP verifier (RA server) and the device's client half. */
export { RaServer } from './ra-server';
export type { RaServerOptions } from './ra-server';
export type { ExpectedFirmware, AttestationResult } from './ra-store';
export { requestChallenge, submitEvidence, attest, RaTransportError } from './ra-client';
export type { RaRequestOptions } from './ra-client';
export { expectedFromEnvelope, suitExpectationLookup } from './suit-expectation';
export type { SharedSuitState, SuitExpectationOptions } from './suit-expectation';
