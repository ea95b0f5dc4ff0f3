/**
 * A fleet process of a multi-process handover world (fleet-world.ts): a slice of the simulated
 * devices, each built by createWorldDevice exactly as in the in-process world (own UDP socket,
 * own DTLS sessions, transfer agent, registered with SP1), running in its own Node process so
 * that the providers' event loop does not also carry the devices' half of every handshake.
 *
 *   node fleet-process.js <config.json>        (from dist)
 *   node -r test/helpers/ts-register.js fleet-process.ts <config.json>
 *
 * Talks to its parent over the IPC channel (fleet-protocol.ts): `ready` when every device is
 * registered with SP1, `stats` on request (DTLS traffic toward given server ports, enrollment
 * bytes per device), `stopped` after `stop`. It exits when the parent goes away.
 */
import { clientTraffic } from '../../../common/dtls/index';
import { createWorldDevice, type WorldDevice } from './devices';
import { deviceCredentials, loadWorldPki } from './fleet-pki';
import { readFleetConfig, type FleetCommand, type FleetDeviceBytes, type FleetReport } from './fleet-protocol';

function report(r: FleetReport): void {
  process.send?.(r);
}

async function main(): Promise<void> {
  if (!process.send) throw new Error('fleet-process must be started with an IPC channel (fleet-world.ts)');
  const config = readFleetConfig(process.argv[2]);
  const pki = await loadWorldPki(config.pki);
  const devices: WorldDevice[] = [];
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await Promise.all(devices.map(async (d) => { await d.agent.close().catch(() => undefined); await d.client.stop().catch(() => undefined); }));
    await Promise.all(pki.hierarchy.all.map((ca) => ca.close().catch(() => undefined)));
  };
  process.on('disconnect', () => { void stop().finally(() => process.exit(0)); });
  process.on('message', (m: FleetCommand) => {
    switch (m.type) {
      case 'reset-traffic':
        clientTraffic.reset();
        return;
      case 'stats': {
        const traffic = Object.fromEntries(m.ports.map((p) => [String(p), clientTraffic.of(p)]));
        const bytes: Record<string, FleetDeviceBytes> = {};
        for (const d of devices) bytes[d.id] = { csr: d.bytes.csr, operationalCertificate: d.bytes.operationalCertificate };
        report({ type: 'stats', traffic, bytes });
        return;
      }
      case 'stop':
        void stop().then(() => report({ type: 'stopped' })).finally(() => process.exit(0));
        return;
    }
  });
  const creds = config.devices.map(deviceCredentials);
  for (let i = 0; i < creds.length && !stopping; i += config.setupConcurrency) {
    await Promise.all(creds.slice(i, i + config.setupConcurrency).map(async (credentials) => {
      const device = createWorldDevice({ pki, credentials, sp1Uri: config.sp1Uri, stateDir: config.stateDir });
      devices.push(device);
      await device.client.start();
    }));
    report({ type: 'started', devices: devices.length });
  }
  report({ type: 'ready', devices: devices.length });
}

main().catch((e: Error) => {
  report({ type: 'error', message: e.message });
  console.error(e);
  process.exit(1);
});
