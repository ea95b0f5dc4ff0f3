/**
 * `handover server`: the LwM2M server with its operator REST API, on Redis (REDIS_URL, else an
 * embedded redis-server under --data-dir), until SIGINT/SIGTERM, then a clean stop.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { InvalidInputError, UsageError } from '../../../common/errors';
import { generateToken, MIN_TOKEN_LENGTH } from '../../../server/rest/auth';
import { startServerApp } from '../../../server/rest/app';
import type { Command } from '../command';
import type { CliIo } from '../io';
import { intOption, parse } from '../args';
import { untilSignal } from '../until-signal';

const usage = `usage: handover server [options]
  --coap-port N     CoAP UDP port (default 5683; 0 = any free port)
  --coaps-port N    also serve CoAP over DTLS 1.2 on this UDP port (0 = any free port): PSK with
                    keys from the security store (/api/security), and certificate mode when
                    --cert, --key and --ca are given
  --cert FILE       PEM: the server's certificate (then its intermediates), for --coaps-port
  --key FILE        PEM: the server's private key (EC P-256), unencrypted
  --ca FILE         PEM: CA certificate(s) client certificates must chain to
  --http-port N     REST API port (default 8080; 0 = any free port)
  --host ADDR       address both bind (default 127.0.0.1)
  --token T         REST API bearer token (at least ${MIN_TOKEN_LENGTH} characters; default: $HANDOVER_API_TOKEN,
                    else a random token printed once at start)
  --allow-nosec     accept devices without DTLS (development only)
  --data-dir DIR    data directory, created 0700 (default ./data)
  --json            print the start-up details as one JSON line
Redis: REDIS_URL when set, else an embedded redis-server under <data-dir>/redis.`;

const NOSEC_BANNER = [
  '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
  '!!  WARNING: --allow-nosec — devices may connect WITHOUT ANY SECURITY   !!',
  '!!  (plain CoAP, no DTLS): anyone on the network can register as any    !!',
  '!!  endpoint and read or change what devices send. Development only.    !!',
  '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
].join('\n');

/** A PEM file holding at least one block whose label ends with `label`; InvalidInputError otherwise. */
function readPem(file: string, label: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InvalidInputError(`cannot read ${file}: ${(e as Error).message}`);
  }
  if (!new RegExp(`-----BEGIN [A-Z ]*${label}-----`).test(text)) throw new InvalidInputError(`${file} holds no PEM ${label}`);
  return text;
}

const server: Command = {
  name: 'server',
  summary: 'run the LwM2M server and its REST API',
  usage,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parse(argv, {
      'coap-port': { type: 'string' }, 'http-port': { type: 'string' }, host: { type: 'string' },
      token: { type: 'string' }, 'allow-nosec': { type: 'boolean' }, 'data-dir': { type: 'string' },
      json: { type: 'boolean' }, 'coaps-port': { type: 'string' }, cert: { type: 'string' }, key: { type: 'string' }, ca: { type: 'string' },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const coapPort = intOption(values['coap-port'], 'coap-port', 5683, 0, 65535);
    const httpPort = intOption(values['http-port'], 'http-port', 8080, 0, 65535);
    const host = values.host ?? '127.0.0.1';
    if (host.trim() === '') throw new UsageError('--host must not be empty');
    let token = values.token ?? process.env.HANDOVER_API_TOKEN;
    const generated = token === undefined || token === '';
    if (!generated && token!.length < MIN_TOKEN_LENGTH) throw new UsageError(`--token must be at least ${MIN_TOKEN_LENGTH} characters`);
    if (generated) token = generateToken();
    const dataDir = path.resolve(values['data-dir'] ?? 'data');
    try {
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    } catch (e) {
      throw new InvalidInputError(`cannot create data directory ${dataDir}: ${(e as Error).message}`);
    }
    const certFiles = [values.cert, values.key, values.ca];
    if (certFiles.some((f) => f !== undefined) && certFiles.some((f) => f === undefined)) throw new UsageError('--cert, --key and --ca go together');
    if (values.cert !== undefined && values['coaps-port'] === undefined) throw new UsageError('--cert/--key/--ca need --coaps-port');
    const coapsPort = values['coaps-port'] === undefined ? undefined : intOption(values['coaps-port'], 'coaps-port', 5684, 0, 65535);
    const certificate = values.cert !== undefined
      ? { certChainPem: readPem(values.cert, 'CERTIFICATE'), keyPem: readPem(values.key!, 'PRIVATE KEY'), caPem: readPem(values.ca!, 'CERTIFICATE') }
      : undefined;
    const allowNoSec = values['allow-nosec'] ?? false;
    if (allowNoSec) io.err(NOSEC_BANNER);

    const app = await startServerApp({
      token: token!, host, coapPort, httpPort, allowNoSec, dataDir,
      ...(coapsPort !== undefined ? { dtls: { port: coapsPort, ...(certificate ? { certificate } : {}) } } : {}),
      log: (msg) => io.err(`server: ${msg}`),
    });
    const hostInUri = host.includes(':') ? `[${host}]` : host;
    if (values.json) {
      io.out(JSON.stringify({
        coap: `coap://${hostInUri}:${app.coapPort}`,
        ...(app.coapsPort !== undefined ? { coaps: `coaps://${hostInUri}:${app.coapsPort}`, dtls: certificate ? ['psk', 'x509'] : ['psk'] } : {}),
        http: `http://${hostInUri}:${app.httpPort}`,
        redis: app.embeddedRedis ? 'embedded' : 'external', allowNoSec, ...(generated ? { token } : {}),
      }));
    } else {
      io.out(`LwM2M server listening on coap://${hostInUri}:${app.coapPort}`);
      if (app.coapsPort !== undefined) {
        io.out(`LwM2M server listening on coaps://${hostInUri}:${app.coapsPort} (DTLS 1.2: PSK${certificate ? ' and X.509 certificates' : ''})`);
      }
      io.out(`REST API listening on http://${hostInUri}:${app.httpPort}/api (Authorization: Bearer <token>)`);
      io.out(`Redis: ${app.embeddedRedis ? `embedded, data in ${path.join(dataDir, 'redis')}` : 'external (REDIS_URL)'}`);
      if (generated) {
        io.out('');
        io.out('API token (generated; shown only once, keep it secret):');
        io.out(`  ${token}`);
        io.out('');
      }
    }
    const sig = await untilSignal();
    io.err(`server: ${sig}, stopping`);
    await app.stop();
    io.err('server: stopped');
    return 0;
  },
};

export default server;
