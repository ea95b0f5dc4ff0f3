/**
 * The simulated fleet of a handover world: each device an LwM2mClient (own UDP socket, its own
 * DTLS sessions) with the transfer agent's objects 33001–33003, registered with SP1 over DTLS
 * with its CA1 operational certificate. The agent's external steps are the real ones; the
 * enrollment step is wrapped only to count the bytes the device sent (CSR) and received
 * (certificate), the join step to keep the device's certificate slot current.
 *
 * A device joins SP2 through SP2's bootstrap server (joinBootstrap), which gives it an account
 * in Security Mode 4 ("certificate with EST"): the device uses its own enrolled certificate and
 * key, which SP2 never sees. LwM2mClient takes a Mode 4 account's empty key resources from
 * `options.security`, so that option is the device's certificate slot (CertificateSlot): what
 * the device holds now — the CA1 certificate at first, after each join the credentials it
 * joined with (CA2's after a transfer, the factory ones after a fallback).
 */
import * as path from 'node:path';
import { LwM2mClient } from '../../../client-sim/client';
import type { ClientSecurity } from '../../../client-sim/client-options';
import { createTransferAgent, defaultEnroll, TransferResult, TransferStepError, type TransferAgent, type TransferAgentOptions } from '../../../client-sim/transfer/index';
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

type X509Security = Extract<ClientSecurity, { mode: 'x509' }>;

/** The certificate and key the device holds now (see the header); `hold` replaces them. */
class CertificateSlot implements X509Security {
  readonly mode = 'x509';
  constructor(private current: Omit<X509Security, 'mode'>) {}
  get certChainPem(): string { return this.current.certChainPem; }
  get keyPem(): string { return this.current.keyPem; }
  get caPem(): string { return this.current.caPem; }
  hold(s: ClientSecurity): void {
    if (s.mode === 'x509') this.current = { certChainPem: s.certChainPem, keyPem: s.keyPem, caPem: s.caPem };
  }
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
  let client: LwM2mClient | undefined;
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
      join: async (account) => {
        if (!client) throw new TransferStepError(TransferResult.joinFailed, 'no LwM2M client to join with', false);
        slot.hold(account.security);
        await client.rejoin(account);
      },
    },
    ...(opts.log ? { log: opts.log } : {}),
  });
  // What the device holds now: its state file's operational credentials after a restart.
  const held = agent.operationalCredentials();
  const slot = new CertificateSlot({
    certChainPem: held?.certificatePem ?? certificatePem(c.operational.certificate) + intermediatesPem(h.ca1),
    keyPem: held?.keyPem ?? keyPem(c.operational.privateKey),
    caPem: pki.chainPem(h.ca1),
  });
  const lwm2m = new LwM2mClient({
    endpoint: c.deviceId,
    serverUri: opts.sp1Uri,
    security: slot,
    lifetime: opts.lifetime ?? 300,
    queueMode: opts.queueMode ?? false,
    objects: agent.objects,
    stateFile: path.join(opts.stateDir, `${c.deviceId}.lwm2m.json`),
    requestTimeout: opts.requestTimeoutMs ?? 20_000,
    ...(opts.updateMargin !== undefined ? { updateMargin: opts.updateMargin } : {}),
    retryDelay: 500,
    maxRetryDelay: 5_000,
  });
  client = lwm2m;
  agent.attach(lwm2m);
  return { id: c.deviceId, credentials: c, client: lwm2m, agent, bytes, queueMode: opts.queueMode ?? false };
}
