/** The device's EST-coaps client (RFC 9148): enroll, re-enroll, server-side key generation, CA certificates, CSR attributes. */
export { EstClient } from './est-client';
export type { EstClientOptions } from './est-client';
export { EstError, EnrollmentRefusedError } from '../../common/est/index';
