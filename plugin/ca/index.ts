/**
 * The CA's EST-coaps side (paper §VII step 5: devices enroll with CA2 authenticated by their
 * factory certificate): EstServer over DTLS, the protocol logic EstService, and the enrollment
 * policy (which factory certificates may enroll, once per device per transfer, a retransmitted
 * enrollment of the same key answered with the same certificate) kept in Redis.
 */
export { EstServer } from './est-server';
export type { EstServerOptions } from './est-server';
export { EstService, DEFAULT_CSR_ATTRIBUTES } from './est-service';
export type { EstCertificateAuthority, EstRequest, EstResponse, EstServiceOptions } from './est-service';
export type { EnrollmentCheck, EnrollmentPolicy, IssuedEnrollment } from './enrollment-policy';
export { publicKeyId } from './public-key-id';
export { RedisEnrollmentPolicy } from './redis-enrollment-policy';
export type { RedisEnrollmentPolicyOptions } from './redis-enrollment-policy';
export { DedupSocket } from '../../common/coap/dedup-socket';
export { EnrollmentRefusedError, EstError } from '../../common/est/index';
export type { EnrollmentRefusalReason } from '../../common/est/index';
