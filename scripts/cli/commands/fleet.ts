/**
 * `handover fleet`: run N simulated LwM2M devices against a server until Ctrl-C (or --duration),
 * printing registration progress, then the final stats (JSON with --json).
 */
import { InvalidInputError, UsageError } from '../../../common/errors';
import { Fleet, type FleetStats } from '../../../client-sim/fleet';
import type { Command } from '../command';
import type { CliIo } from '../io';
import { intOption, parse } from '../args';

const usage = `usage: handover fleet --server coap://host:port --devices N [options]
  --server URI        LwM2M server (coap://; coaps:// needs the DTLS transport)
  --bootstrap URI     bootstrap server instead of (or besides) --server
  --devices N         number of devices (1..100000)
  --prefix P          endpoint name prefix (default dev-)
  --state-dir DIR     one state file per device (devices resume from it)
  --lifetime S        registration lifetime, seconds (default 300)
  --queue             queue mode (devices sleep between exchanges)
  --concurrency N     registrations in flight (default 100)
  --stagger MS        pause between device starts (default 0)
  --duration S        stop after S seconds (default: until Ctrl-C)
  --json              print the final stats as JSON`;

function describe(s: FleetStats): string {
  return `${s.registered}/${s.devices} registered, ${s.failures} failed starts, ${s.updates} updates, ${s.errors} errors`;
}

const fleet: Command = {
  name: 'fleet',
  summary: 'run many simulated LwM2M devices',
  usage,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parse(argv, {
      server: { type: 'string' }, bootstrap: { type: 'string' }, devices: { type: 'string' },
      prefix: { type: 'string' }, 'state-dir': { type: 'string' }, lifetime: { type: 'string' },
      queue: { type: 'boolean' }, concurrency: { type: 'string' }, stagger: { type: 'string' },
      duration: { type: 'string' }, json: { type: 'boolean' },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    if (!values.server && !values.bootstrap) throw new UsageError('--server (or --bootstrap) is required');
    if (values.devices === undefined) throw new UsageError('--devices is required');
    for (const uri of [values.server, values.bootstrap]) {
      if (uri !== undefined && !/^coaps?:\/\/[^/]+/.test(uri)) throw new InvalidInputError(`"${uri}" is not a coap:// or coaps:// URI`);
    }
    const count = intOption(values.devices, 'devices', 0, 1, 100000);
    const duration = values.duration === undefined ? undefined : intOption(values.duration, 'duration', 0, 1);
    const f = new Fleet({
      count,
      serverUri: values.server,
      bootstrapUri: values.bootstrap,
      endpointPrefix: values.prefix,
      stateDir: values['state-dir'],
      concurrency: intOption(values.concurrency, 'concurrency', 100, 1, 10000),
      staggerMs: intOption(values.stagger, 'stagger', 0, 0, 60000),
      client: { lifetime: intOption(values.lifetime, 'lifetime', 300, 1), queueMode: values.queue ?? false },
    });
    let lastLine = 0;
    f.on('progress', (s: FleetStats) => {
      if (values.json || Date.now() - lastLine < 1000) return;
      lastLine = Date.now();
      io.err(`fleet: ${describe(s)}`);
    });
    const started = await f.start();
    if (!values.json) io.err(`fleet: started — ${describe(started)}`);
    await new Promise<void>((resolve) => {
      const done = () => { process.off('SIGINT', done); process.off('SIGTERM', done); clearTimeout(timer); resolve(); };
      const timer = duration !== undefined ? setTimeout(done, duration * 1000) : undefined;
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
    });
    const final = f.stats();
    await f.stop();
    if (values.json) io.out(JSON.stringify(final));
    else io.out(`fleet: ${describe(final)}`);
    return final.registered === final.devices ? 0 : 1;
  },
};

export default fleet;
