/**
 * `handover campaign create|start|pause|resume|cancel|status|list`: records and controls
 * campaigns in Redis directly. It runs no steps: the process that owns the steps (SP1) runs the
 * workers and picks up what is recorded here.
 */
import { readFileSync } from 'node:fs';
import { HandoverError, InvalidInputError, UsageError } from '../../../common/errors';
import { CampaignControl, formatProgress, type CampaignProgress, type CampaignRecord } from '../../../plugin/campaign';
import type { Command } from '../command';
import type { CliIo } from '../io';
import { intOption, parse } from '../args';

const usage = `usage: handover campaign <verb> [options]
  create --name N --devices FILE --payload FILE [--not-before ISO] [--not-after ISO] [--rate N] [--start]
                       FILE: one device id per line (# comments) or a JSON array; payload: a JSON object.
                       Prints the new campaign's id (--json: the record).
  start ID | pause ID | resume ID | cancel ID
  status ID [--watch] [--interval MS]
                       progress bar (--watch: live until finished or cancelled); --json: the progress object
  list                 every campaign
options: --redis URL (default $REDIS_URL), --prefix P (key prefix, default handover), --json`;

const VERBS = ['create', 'start', 'pause', 'resume', 'cancel', 'status', 'list'] as const;
type Verb = (typeof VERBS)[number];

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new InvalidInputError(`cannot read ${what} ${file}: ${(e as Error).message}`);
  }
}

/** Device ids from a JSON array or one per line (blank lines and # comments skipped). */
function parseDeviceList(text: string, file = 'devices file'): string[] {
  const t = text.trim();
  if (t.startsWith('[')) {
    let v: unknown;
    try { v = JSON.parse(t); } catch (e) { throw new InvalidInputError(`${file}: not valid JSON: ${(e as Error).message}`); }
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new InvalidInputError(`${file}: must be a JSON array of strings`);
    return v as string[];
  }
  return t.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
}

function isoOption(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const t = Date.parse(v);
  if (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(t)) throw new UsageError(`--${name} must be an ISO 8601 time, got "${v}"`);
  return t;
}

function describe(r: CampaignRecord): string {
  const window = [r.notBefore && `from ${new Date(r.notBefore).toISOString()}`, r.notAfter && `until ${new Date(r.notAfter).toISOString()}`]
    .filter(Boolean).join(' ');
  return `${r.id}  ${r.state.padEnd(9)} ${String(r.devices).padStart(7)} devices  ${r.name}${window ? `  (${window})` : ''}${r.ratePerSecond ? `  ${r.ratePerSecond}/s` : ''}`;
}

function stepsLine(p: CampaignProgress): string {
  const steps = Object.entries(p.byStep).map(([s, n]) => `${s} ${n}`).join(', ');
  return steps ? `steps: ${steps}` : '';
}

async function connect(url: string, prefix: string): Promise<CampaignControl> {
  const control = new CampaignControl({ redisUrl: url, keyPrefix: prefix });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      control.redis.ping(),
      new Promise((_, reject) => { timer = setTimeout(() => reject(new HandoverError('ERR_REDIS', `cannot reach Redis at ${url}`)), 3000); }),
    ]);
  } catch (e) {
    await control.close();
    throw e instanceof HandoverError ? e : new HandoverError('ERR_REDIS', `cannot reach Redis at ${url}: ${(e as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
  return control;
}

async function watch(control: CampaignControl, id: string, io: CliIo, json: boolean, intervalMs: number): Promise<void> {
  let last = '';
  let stop = false;
  const onSignal = () => { stop = true; };
  process.once('SIGINT', onSignal);
  try {
    for (;;) {
      const p = await control.progress(id);
      const line = json ? JSON.stringify(p) : formatProgress(p);
      if (line !== last) {
        if (io.isTTY && !json) process.stdout.write(`\r\x1b[2K${line}`);
        else io.out(line);
        last = line;
      }
      const over = p.state === 'finished' || (p.state === 'cancelled' && p.done === p.total);
      if (over || stop) break;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
    if (io.isTTY && !json) process.stdout.write('\n');
  } finally {
    process.off('SIGINT', onSignal);
  }
}

const campaign: Command = {
  name: 'campaign',
  summary: 'create, control and watch handover campaigns',
  usage,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parse(argv, {
      redis: { type: 'string' }, prefix: { type: 'string' }, json: { type: 'boolean' },
      name: { type: 'string' }, devices: { type: 'string' }, payload: { type: 'string' },
      'not-before': { type: 'string' }, 'not-after': { type: 'string' }, rate: { type: 'string' }, start: { type: 'boolean' },
      watch: { type: 'boolean' }, interval: { type: 'string' },
    });
    const [verbArg, ...rest] = positionals;
    if (!verbArg) throw new UsageError('a verb is required');
    if (!(VERBS as readonly string[]).includes(verbArg)) throw new UsageError(`unknown verb "${verbArg}"`);
    const verb = verbArg as Verb;
    const needsId = verb !== 'create' && verb !== 'list';
    if (needsId && rest.length !== 1) throw new UsageError(`${verb} takes exactly one campaign id`);
    if (!needsId && rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
    const url = values.redis ?? process.env.REDIS_URL;
    if (!url) throw new UsageError('no Redis: set REDIS_URL or pass --redis URL (the one the server uses)');
    if (!/^rediss?:\/\//.test(url)) throw new UsageError(`--redis must be a redis:// URL, got "${url}"`);
    const prefix = values.prefix ?? 'handover';
    if (prefix === '' || /\s/.test(prefix)) throw new UsageError('--prefix must be non-empty without spaces');

    let input: Parameters<CampaignControl['create']>[0] | undefined;
    if (verb === 'create') {
      if (!values.name) throw new UsageError('--name is required');
      if (!values.devices) throw new UsageError('--devices FILE is required');
      if (!values.payload) throw new UsageError('--payload FILE is required');
      let rate: number | undefined;
      if (values.rate !== undefined) {
        rate = Number(values.rate);
        if (!/^\d+(\.\d+)?$/.test(values.rate) || !(rate > 0)) throw new UsageError(`--rate must be a positive number, got "${values.rate}"`);
      }
      const devices = parseDeviceList(readText(values.devices, 'devices file'), values.devices);
      let payload: unknown;
      try { payload = JSON.parse(readText(values.payload, 'payload file')); } catch (e) {
        if (e instanceof HandoverError) throw e;
        throw new InvalidInputError(`${values.payload}: not valid JSON: ${(e as Error).message}`);
      }
      input = { name: values.name, devices, payload: payload as Record<string, unknown>,
        notBefore: isoOption(values['not-before'], 'not-before'), notAfter: isoOption(values['not-after'], 'not-after'), ratePerSecond: rate };
    }
    const intervalMs = intOption(values.interval, 'interval', 500, 50, 60_000);

    const control = await connect(url, prefix);
    try {
      const id = rest[0];
      switch (verb) {
        case 'create': {
          const rec = await control.create(input!);
          if (values.start) await control.start(rec.id);
          const final = values.start ? (await control.get(rec.id)) ?? rec : rec;
          io.out(values.json ? JSON.stringify(final) : rec.id);
          return 0;
        }
        case 'start': case 'pause': case 'resume': case 'cancel': {
          await control[verb](id);
          const rec = (await control.get(id))!;
          io.out(values.json ? JSON.stringify(rec) : `campaign ${id}: ${rec.state}`);
          return 0;
        }
        case 'status': {
          const rec = await control.store.require(id);
          if (values.watch) {
            if (!values.json) io.out(`campaign ${rec.id} "${rec.name}"`);
            await watch(control, id, io, values.json ?? false, intervalMs);
            return 0;
          }
          const p = await control.progress(id);
          if (values.json) { io.out(JSON.stringify(p)); return 0; }
          io.out(`campaign ${rec.id} "${rec.name}"`);
          io.out(formatProgress(p));
          const steps = stepsLine(p);
          if (steps) io.out(steps);
          return 0;
        }
        case 'list': {
          const all = await control.list();
          if (values.json) io.out(JSON.stringify(all));
          else io.out(all.length ? all.map(describe).join('\n') : 'no campaigns');
          return 0;
        }
      }
    } finally {
      await control.close();
    }
  },
};

export default campaign;
