/**
 * The simulated fleet of a handover world: each device an LwM2mClient (own UDP socket, its own
 * DTLS sessions) with the transfer agent's objects 33001–33003, registered with SP1 over DTLS
 * with its CA1 operational certificate. The agent's external steps are the real ones; the
 * enrollment step is wrapped only to count the bytes the device sent (CSR) and received
 * (certificate).
 *
 * A device joins SP2 through SP2's bootstrap server (joinBootstrap), which gives it an account
 * in Security Mode 4 ("certificate with EST"): the device uses its own enrolled certificate and
 * key, which SP2 never sees — LwM2mClient fills the account's empty resources from the
 * credentials it bootstrapped with (client-sim/security-credentials.ts enrolledCredentials).
 */
import * as path from 'node:path';
import { LwM2mClient } from '../../../client-sim/client';
import { createTransferAgent, defaultEnroll, type TransferAgent, type TransferAgentOptions } from '../../../client-sim/transfer/index';
import { certificatePem } from '../../../common/pki/index';
import { intermediatesPem, keyPem, type DeviceCredentials, type WorldPki } from './credentials';

export interface DeviceBytes {
  csr: number;
  operationalCertificate: number;
}

export interface WorldDevice {
  readonly id: string;
  readonly credentials: DeviceCredentials;
  readonly client: LwM2mClient;
  readonly agent: TransferAgent;
  readonly bytes: DeviceBytes;
  readonly queueMode: boolean;
}

export interface DeviceOptions {
  readonly pki: WorldPki;
  readonly credentials: DeviceCredentials;
  readonly sp1Uri: string;
  readonly stateDir: string;
  readonly queueMode?: boolean;
  /** Registration lifetime, s. Default 300. */
  readonly lifetime?: number;
  /** Seconds before the lifetime ends that the Update is sent. Default the client's. */
  readonly updateMargin?: number;
  /** Deadline of the device's own requests (Register, Update), ms. Default 20000. */
  readonly requestTimeoutMs?: number;
  /** The device's SUIT settings (recipient, state directory with its installed firmware, trust store): attestation and update-first. Default none. */
  readonly suit?: TransferAgentOptions['suit'];
  /** Where the device exposes the transfer objects. Default 33001–33003. */
  readonly objectIds?: TransferAgentOptions['objectIds'];
  readonly log?: (line: string) => void;
}

export function createWorldDevice(opts: DeviceOptions): WorldDevice {
  const { pki, credentials: c } = opts;
  const h = pki.hierarchy;
  const bytes: DeviceBytes = { csr: 0, operationalCertificate: 0 };
  const enroll = defaultEnroll({ timeoutMs: 20_000 });
  const agent = createTransferAgent({
    deviceId: c.deviceId,
    factory: { privateKey: c.factory.privateKey, certificate: c.factory.certificate, chain: h.factoryCa.chain.slice(0, -1) },
    operational: { privateKey: c.operational.privateKey, certificate: c.operational.certificate, chain: h.ca1.chain.slice(0, -1) },
    stateFile: path.join(opts.stateDir, `${c.deviceId}.transfer.json`),
    ...(opts.suit ? { suit: opts.suit } : {}),
    ...(opts.objectIds ? { objectIds: opts.objectIds } : {}),
    joinBootstrap: true,
    fallbackBootstrap: false,
    retry: { attempts: 5, backoffMs: 2000, maxBackoffMs: 16_000 },
    steps: {
      enroll: async (req) => {
        bytes.csr += req.csr.length;
        const cert = await enroll(req);
        bytes.operationalCertificate += cert.length;
        return cert;
      },
    },
    ...(opts.log ? { log: opts.log } : {}),
  });
  const client = new LwM2mClient({
    endpoint: c.deviceId,
    serverUri: opts.sp1Uri,
    security: {
      mode: 'x509',
      certChainPem: certificatePem(c.operational.certificate) + intermediatesPem(h.ca1),
      keyPem: keyPem(c.operational.privateKey),
      caPem: pki.chainPem(h.ca1),
    },
    lifetime: opts.lifetime ?? 300,
    queueMode: opts.queueMode ?? false,
    objects: agent.objects,
    stateFile: path.join(opts.stateDir, `${c.deviceId}.lwm2m.json`),
    requestTimeout: opts.requestTimeoutMs ?? 20_000,
    ...(opts.updateMargin !== undefined ? { updateMargin: opts.updateMargin } : {}),
    retryDelay: 500,
    maxRetryDelay: 5_000,
  });
  agent.attach(client);
  return { id: c.deviceId, credentials: c, client, agent, bytes, queueMode: opts.queueMode ?? false };
}
