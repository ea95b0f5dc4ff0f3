/**
 * SP1's LwM2M server as its own process (the crash test kills it with SIGKILL and starts it
 * again): startServerApp on the fixed ports of the configuration, with the world's Redis and key
 * prefix, so that a restarted process finds every registration where the killed one left it.
 *
 *   node -r test/helpers/ts-register.js scripts/demo/world/processes/sp1-server.ts <config.json>
 *
 * Prints `READY {"httpPort":…,"coapsPort":…}` when it serves.
 */
import { startServerApp } from '../../../../server/rest/app';
import { sp1ServerAppOptions } from '../sp1-role';
import { readSp1Config, runMain } from './config';

runMain(async () => {
  const c = readSp1Config(process.argv[2]);
  const log = (line: string) => console.error(`[sp1-server] ${line}`);
  const app = await startServerApp(sp1ServerAppOptions({
    token: c.server.token, redisUrl: c.redisUrl, keyPrefix: c.keyPrefix, dataDir: c.dataDir,
    httpPort: c.server.httpPort, coapPort: c.server.coapPort, coapsPort: c.server.coapsPort,
    certChainPem: c.server.certChainPem, keyPem: c.server.keyPem, caPem: c.server.caPem, log,
  }));
  console.log(`READY ${JSON.stringify({ pid: process.pid, httpPort: app.httpPort, coapPort: app.coapPort, coapsPort: app.coapsPort })}`);
  return () => app.stop();
});
