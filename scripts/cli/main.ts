/**
 * The `handover` CLI dispatcher: one verb per file in commands/, loaded lazily so that
 * `handover cose verify` does not load the LwM2M server. Converts errors to exit codes once.
 */
import 'reflect-metadata';
import { HandoverError, UsageError } from '../../common/errors';
import type { Command } from './command';
import { CliIo, processIo } from './io';

const VERBS: Record<string, () => Command> = {
  server: () => require('./commands/server').default,
  cose: () => require('./commands/cose').default,
  cwt: () => require('./commands/cwt').default,
  est: () => require('./commands/est').default,
  pki: () => require('./commands/pki').default,
  suit: () => require('./commands/suit').default,
  fleet: () => require('./commands/fleet').default,
  campaign: () => require('./commands/campaign').default,
  demo: () => require('./commands/demo').default,
  sp1: () => require('./commands/sp1').default,
  sp2: () => require('./commands/sp2').default,
};

function loadVerb(name: string): Command | undefined {
  const load = VERBS[name];
  if (!load) return undefined;
  try {
    return load();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return undefined;
    throw e;
  }
}

function topUsage(): string {
  const lines = ['usage: handover <command> [options]', '', 'commands:'];
  for (const name of Object.keys(VERBS)) {
    const cmd = loadVerb(name);
    if (cmd) lines.push(`  ${name.padEnd(10)} ${cmd.summary}`);
  }
  return lines.join('\n');
}

/** Run the CLI with `argv` (without node and script); resolves to the exit code. */
export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  const [verb, ...rest] = argv;
  if (!verb || verb === '--help' || verb === '-h' || verb === 'help') {
    io.out(topUsage());
    return verb ? 0 : 2;
  }
  let cmd: Command | undefined;
  try {
    cmd = loadVerb(verb);
  } catch (e) {
    io.err(`handover: ${verb}: failed to load: ${(e as Error).message}`);
    return 1;
  }
  if (!cmd) {
    io.err(`handover: unknown command "${verb}"`);
    io.err(topUsage());
    return 2;
  }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`handover ${verb}: ${e.message}`);
      io.err(cmd.usage);
      return 2;
    }
    if (e instanceof HandoverError) {
      io.err(`handover ${verb}: ${e.message}`);
      return 1;
    }
    io.err(`handover ${verb}: ${(e as Error)?.message ?? String(e)}`);
    return 1;
  }
}
