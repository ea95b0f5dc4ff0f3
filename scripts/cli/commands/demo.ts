/**
 * `handover demo [--devices N] [--fail-enrollment K] [--attest] [--update-first] [--json]`: the
 * main job the README's first command runs. On embedded defaults it starts SP1, SP2, CA1, CA2,
 * the update server and N simulated devices enrolled with SP1, moves the fleet to SP2 as one
 * campaign with a progress bar, and ends with a table: outcomes, time, and bytes per device per
 * message type beside Table I of the PKI paper. `--attest` has SP2's RA server verify every
 * device's firmware first, `--update-first` has every device install SP2's firmware before
 * enrolling (each adds its own row). `--json` prints that summary as one JSON object instead.
 * `--foundation` runs the LwM2M-only demo (server, fleet, reads).
 */
import { UsageError } from '../../../common/errors';
import { formatProgress } from '../../../plugin/campaign/progress-format';
import { runFoundationDemo } from '../../demo/foundation-demo';
import { runHandoverDemo } from '../../demo/handover-demo';
import type { HandoverSummary } from '../../demo/world/summary';
import type { Command } from '../command';
import type { CliIo } from '../io';
import { intOption, parse } from '../args';

const usage = `usage: handover demo [--devices N] [--fail-enrollment K] [--attest] [--update-first] [--json]
       handover demo --foundation [--devices N] [--json]
  --devices N           simulated devices (default 100, 1..5000)
  --fail-enrollment K   the first K devices are withheld from CA2, so their enrollment fails and
                        they fall back to SP1 (default 0)
  --attest              SP2 runs an RA server: each device attests its firmware (an EAT signed
                        with its factory key) against the SUIT state SP1 shared, before enrolling
  --update-first        each device installs SP2's signed firmware (SUIT) before enrolling
  --json                print the summary as one JSON object
  --foundation          the LwM2M-only demo: server, fleet, reads`;

function table(s: HandoverSummary): string[] {
  const lines = [
    `devices             ${s.devices}`,
    `transferred         ${s.transferred}`,
    `fallen back         ${s.fellBack}`,
    `failed              ${s.failed}`,
    `time                ${s.seconds.toFixed(2)} s (${s.devicesPerSecond} devices/s)`,
    `per device          p50 ${s.perDeviceMs.p50} ms, p99 ${s.perDeviceMs.p99} ms (token delivered → arrival confirmed)`,
    '',
  ];
  const w = Math.max(...s.messages.map((m) => m.message.length), 7);
  lines.push(`${'message'.padEnd(w)}  ${'bytes'.padStart(6)}  ${'paper'.padStart(7)}  direction`);
  lines.push('-'.repeat(w + 30));
  for (const m of s.messages) lines.push(`${m.message.padEnd(w)}  ${String(m.bytes).padStart(6)}  ${(m.paper ?? '').padStart(7)}  ${m.direction}`);
  lines.push('', 'paper: Table I of Höglund, Raza, Furuhed (CoAP, DTLS, X.509 column); bytes are means per device.');
  for (const [state, ids] of Object.entries(s.notTransferred)) lines.push(`${state}: ${ids.slice(0, 10).join(', ')}${ids.length > 10 ? ', …' : ''}`);
  return lines;
}

async function foundation(devices: number, json: boolean, io: CliIo): Promise<number> {
  const result = await runFoundationDemo(devices, (m) => { if (!json) io.out(m); });
  if (json) io.out(JSON.stringify(result));
  else io.out(`registered ${result.registered}/${result.devices}, reads ${result.reads} (${result.readFailures} failed), ${result.seconds.toFixed(2)} s`);
  return result.registered === devices && result.readFailures === 0 ? 0 : 1;
}

const demo: Command = {
  name: 'demo',
  summary: 'run the end-to-end handover demo on embedded defaults',
  usage,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parse(argv, {
      devices: { type: 'string' }, 'fail-enrollment': { type: 'string' }, json: { type: 'boolean' }, foundation: { type: 'boolean' },
      attest: { type: 'boolean' }, 'update-first': { type: 'boolean' },
    });
    if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const devices = intOption(values.devices, 'devices', 100, 1, 5000);
    const json = values.json === true;
    if (values.foundation) {
      if (values.attest || values['update-first']) throw new UsageError('--attest and --update-first are options of the handover demo, not of --foundation');
      return foundation(devices, json, io);
    }
    const fail = intOption(values['fail-enrollment'], 'fail-enrollment', 0, 0, devices);
    let last = '';
    let lastAt = 0;
    const summary = await runHandoverDemo({
      devices,
      failEnrollment: Array.from({ length: fail }, (_, i) => i),
      attest: values.attest === true,
      updateFirst: values['update-first'] === true,
      log: (l) => { if (!json && /^(SP1|SP2 (RA|update) server|\d+ devices)/.test(l)) io.out(l); },
      onProgress: (p) => {
        if (json) return;
        const line = formatProgress(p);
        if (io.isTTY) { process.stdout.write(`\r${line}\x1b[K`); return; }
        if (line !== last && (Date.now() - lastAt > 1000 || p.done === p.total)) { io.out(line); last = line; lastAt = Date.now(); }
      },
    });
    if (json) {
      io.out(JSON.stringify({
        devices: summary.devices, transferred: summary.transferred, fellBack: summary.fellBack, failed: summary.failed,
        seconds: summary.seconds, devicesPerSecond: summary.devicesPerSecond, perDeviceMs: summary.perDeviceMs,
        bytesPerDevice: summary.bytesPerDevice, notTransferred: summary.notTransferred,
      }));
    } else {
      if (io.isTTY) process.stdout.write('\n');
      for (const l of table(summary)) io.out(l);
    }
    const expectedFallbacks = fail;
    return summary.transferred === devices - expectedFallbacks && summary.fellBack === expectedFallbacks && summary.failed === 0 ? 0 : 1;
  },
};

export default demo;
