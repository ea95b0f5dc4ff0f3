/**
 * `handover demo [--devices N] [--json]`: the main job the README's first command runs. Today it
 * runs the LwM2M foundation end to end (server, embedded Redis, a simulated fleet, reads).
 */
import { UsageError } from '../../../common/errors';
import { runFoundationDemo } from '../../demo/foundation-demo';
import type { Command } from '../command';
import type { CliIo } from '../io';
import { intOption, parse } from '../args';

const usage = `usage: handover demo [--devices N] [--json]
  --devices N   simulated devices (default 100, 1..5000)
  --json        print the summary as one JSON object`;

const demo: Command = {
  name: 'demo',
  summary: 'run the end-to-end demo on embedded defaults',
  usage,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parse(argv, { devices: { type: 'string' }, json: { type: 'boolean' } });
    if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const devices = intOption(values.devices, 'devices', 100, 1, 5000);
    const result = await runFoundationDemo(devices, (m) => { if (!values.json) io.out(m); });
    if (values.json) {
      io.out(JSON.stringify(result));
    } else {
      io.out('');
      io.out(`devices             ${result.devices}`);
      io.out(`registered          ${result.registered}`);
      io.out(`reads /3/0          ${result.reads} (${result.readFailures} failed)`);
      io.out(`registrations/s     ${result.registrationsPerSecond}`);
      io.out(`read latency p50    ${result.readLatencyMs.p50} ms, p99 ${result.readLatencyMs.p99} ms`);
      io.out(`time                ${result.seconds.toFixed(2)} s`);
    }
    return result.registered === devices && result.readFailures === 0 ? 0 : 1;
  },
};

export default demo;
