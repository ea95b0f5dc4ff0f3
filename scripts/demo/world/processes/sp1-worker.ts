/**
 * SP1's worker as its own process (the crash test kills it with SIGKILL and starts it again):
 * the OldProvider over a LeshanAdapter to SP1 server's REST API (and its event stream), SP1's
 * provider API on its fixed port, and the campaign engine running transferCampaign with short
 * lock and stalled-check periods, so that the jobs a killed worker held are taken over quickly.
 * CA1 is loaded from its directory: the worker revokes the CA1 certificates of arrived devices.
 *
 *   node -r test/helpers/ts-register.js scripts/demo/world/processes/sp1-worker.ts <config.json>
 *
 * Prints `READY {"apiPort":…}` when it works.
 */
import 'reflect-metadata';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { Redis } from 'ioredis';
import { CertificateAuthority, pemToDer } from '../../../../common/pki/index';
import { LeshanAdapter } from '../../../../plugin/adapter/index';
import { createSp1Api } from '../../../../plugin/provider-api/index';
import { createOldProvider, startSp1Campaigns } from '../sp1-role';
import { readSp1Config, runMain } from './config';

runMain(async () => {
  const c = readSp1Config(process.argv[2]);
  const w = c.worker;
  const log = (line: string) => console.error(`[sp1-worker] ${new Date().toISOString()} ${line}`);
  const ca1 = await CertificateAuthority.load(w.ca1Dir);
  const redis = new Redis(c.redisUrl, { maxRetriesPerRequest: null });
  redis.on('error', (e: Error) => log(`redis: ${e.message}`));
  const adapter = new LeshanAdapter({ baseUrl: `http://127.0.0.1:${c.server.httpPort}`, token: c.server.token, timeoutMs: w.deviceTimeoutMs, log });
  // The event stream reconnects by itself: a server that is down now is no reason not to work.
  await adapter.start().catch((e: Error) => log(`event stream not open yet: ${e.message}`));
  const sp1 = createOldProvider({
    redis, keyPrefix: c.keyPrefix, adapter,
    signingKey: createPrivateKey(w.signerKeyPem), signerCertificate: pemToDer(w.signerCertificatePem)[0],
    sp2PublicKey: createPublicKey(w.sp2PublicKeyPem), ca1Root: pemToDer(w.ca1RootPem)[0],
    fallbackUri: `coaps://127.0.0.1:${c.server.coapsPort}`,
    revoke: (serial) => ca1.revoke(serial, 'affiliationChanged'), log,
  });
  const api = createSp1Api(sp1, { token: w.apiToken, port: w.apiPort, log });
  await api.listen();
  const campaigns = await startSp1Campaigns({
    redisUrl: c.redisUrl, keyPrefix: c.keyPrefix, sp1, adapter, concurrency: w.concurrency,
    lockDurationMs: w.lockDurationMs, stalledIntervalMs: w.stalledIntervalMs, parkTimeoutMs: w.parkTimeoutMs, log,
  });
  console.log(`READY ${JSON.stringify({ pid: process.pid, apiPort: api.port })}`);
  return async () => {
    await campaigns.stop({ force: true });
    await api.close();
    await adapter.close();
    await redis.quit();
  };
});
