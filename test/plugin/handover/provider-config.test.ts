/**
 * The provider configuration: a complete SP1 and SP2 configuration parse with their defaults
 * and paths resolved against the file's directory; every kind of bad field is refused with a
 * one-line ConfigError naming it; the file must be owner-only JSON.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '../../../plugin/handover/errors';
import { loadProviderConfig, parseProviderConfig } from '../../../plugin/handover/provider-config';

const FILE = '/etc/handover/sp1.json';

function sp1(): Record<string, any> {
  return {
    role: 'sp1', identity: 'sp1.example', redisUrl: 'redis://127.0.0.1:6379',
    signer: { key: 'keys/signer.key', certificate: 'certs/signer.pem' },
    peer: { identity: 'sp2.example', publicKey: 'peer/sp2.pem' },
    api: { port: 8441, tokenFile: 'secrets/api.token', peerUrl: 'https://sp2.example:8442', peerTokenFile: '/secrets/sp2.token' },
    dm: { server: { coapsPort: 5684, certChain: 'certs/server.pem', key: 'keys/server.key', trustedCa: 'certs/trusted.pem' } },
    sp1: { ca1Dir: 'pki/ca1' },
  };
}

function sp2(): Record<string, any> {
  return {
    role: 'sp2', identity: 'sp2.example', redisUrl: 'rediss://redis.sp2.example:6380', keyPrefix: '{sp2}',
    signer: { key: 'signer.key' }, peer: { identity: 'sp1.example', publicKey: 'sp1.pem' },
    api: { host: '0.0.0.0', port: 8442, tokenFile: 'api.token', peerUrl: 'http://sp1.example:8441', peerTokenFile: 'sp1.token' },
    dm: { leshan: { url: 'http://leshan.sp2.example:8080', tokenFile: 'leshan.token' } },
    sp2: { ca2Dir: 'ca2', est: { port: 5690, certChain: 'est.pem', key: 'est.key', trustedCa: 'est-ca.pem' }, transferMessage: { joinUri: 'coaps://lwm2m.sp2.example', updateUri: 'coaps://fw.sp2.example/x.suit', updateFirst: true } },
  };
}

function refusal(json: unknown): string {
  try {
    parseProviderConfig(json, FILE);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).code).toBe('ERR_CONFIG');
    expect((e as Error).message).not.toContain('\n');
    return (e as Error).message;
  }
  throw new Error('accepted');
}

test('an SP1 configuration with our own LwM2M server: defaults and resolved paths', () => {
  const c = parseProviderConfig(sp1(), FILE);
  expect(c).toMatchObject({
    role: 'sp1', identity: 'sp1.example', keyPrefix: 'handover',
    signer: { keyFile: '/etc/handover/keys/signer.key', certificateFile: '/etc/handover/certs/signer.pem' },
    peer: { identity: 'sp2.example', publicKeyFile: '/etc/handover/peer/sp2.pem' },
    api: { host: '127.0.0.1', port: 8441, tokenFile: '/etc/handover/secrets/api.token', peerTokenFile: '/secrets/sp2.token' },
    dm: { kind: 'server', host: '127.0.0.1', coapPort: 0, coapsPort: 5684, httpPort: 0, dataDir: '/etc/handover/data-sp1', deviceTimeoutMs: 20_000 },
    sp1: { ca1Dir: '/etc/handover/pki/ca1', campaigns: {} },
  });
  expect(c.sp2).toBeUndefined();
});

test('an SP2 configuration with a Leshan server', () => {
  const c = parseProviderConfig(sp2(), '/srv/sp2/sp2.json');
  expect(c).toMatchObject({
    role: 'sp2', keyPrefix: '{sp2}', dm: { kind: 'leshan', url: 'http://leshan.sp2.example:8080', tokenFile: '/srv/sp2/leshan.token' },
    sp2: { ca2Dir: '/srv/sp2/ca2', est: { host: '127.0.0.1', port: 5690 }, transferMessage: { joinUri: 'coaps://lwm2m.sp2.example', updateFirst: true, windowHours: 24 }, anchors: {} },
  });
});

test.each([
  ['a missing identity', (j: any) => { delete j.identity; }, /config\.identity is required/],
  ['a wrong role', (j: any) => { j.role = 'sp3'; }, /config\.role must be "sp1" or "sp2", got "sp3"/],
  ['an unknown top-level field', (j: any) => { j.sp1x = {}; }, /unknown field "sp1x"/],
  ['an unknown nested field', (j: any) => { j.api.tokenfile = 'x'; }, /api has an unknown field "tokenfile"/],
  ['a non-integer port', (j: any) => { j.api.port = '8441'; }, /api\.port must be an integer from 1 to 65535/],
  ['a zero coaps port', (j: any) => { j.dm.server.coapsPort = 0; }, /dm\.server\.coapsPort must be an integer from 1 to 65535/],
  ['both DM kinds', (j: any) => { j.dm.leshan = { url: 'http://x', tokenFile: 't' }; }, /dm must name exactly one/],
  ['a Leshan DM without a fallback URI', (j: any) => { j.dm = { leshan: { url: 'http://x', tokenFile: 't' } }; }, /sp1\.fallbackUri is required with dm\.leshan/],
  ['an SP1 without a signer certificate', (j: any) => { delete j.signer.certificate; }, /signer\.certificate is required for SP1/],
  ['an SP1 with an sp2 section', (j: any) => { j.sp2 = {}; }, /config\.sp2 is not allowed in an SP1 configuration/],
  ['the peer being ourselves', (j: any) => { j.peer.identity = 'sp1.example'; }, /peer\.identity must differ/],
  ['a bad peer URL', (j: any) => { j.api.peerUrl = 'ftp://x'; }, /api\.peerUrl must be a http or https URI/],
  ['an empty key path', (j: any) => { j.signer.key = ' '; }, /signer\.key must be a non-empty string/],
  ['a missing sp1 section', (j: any) => { delete j.sp1; }, /sp1 must be a JSON object/],
  ['a bad campaign timing', (j: any) => { j.sp1.campaigns = { lockDurationMs: 10 }; }, /sp1\.campaigns\.lockDurationMs must be an integer from 1000/],
])('refuses %s', (_name, change, reason) => {
  const j = sp1();
  change(j);
  expect(refusal(j)).toMatch(reason);
});

test.each([
  ['no EST section', (j: any) => { delete j.sp2.est; }, /sp2\.est must be a JSON object/],
  ['a non-coap enroll URI', (j: any) => { j.sp2.transferMessage.enrollUri = 'http://est'; }, /sp2\.transferMessage\.enrollUri must be a coap or coaps URI/],
  ['a window of zero hours', (j: any) => { j.sp2.transferMessage.windowHours = 0; }, /windowHours must be an integer from 1/],
  ['a string flag', (j: any) => { j.sp2.transferMessage.updateFirst = 'yes'; }, /updateFirst must be true or false/],
])('refuses an SP2 configuration with %s', (_name, change, reason) => {
  const j = sp2();
  change(j);
  expect(refusal(j)).toMatch(reason);
});

test('an SP2 configuration with its bootstrap server: defaults and resolved paths', () => {
  const j = sp2();
  j.sp2.bootstrap = { port: 5685, certChain: 'bs.pem', key: 'bs.key', trustedCa: 'ca2.pem', serverUri: 'coaps://lwm2m.sp2.example:5684' };
  expect(parseProviderConfig(j, '/srv/sp2/sp2.json').sp2!.bootstrap).toEqual({
    host: '127.0.0.1', port: 5685, certChainFile: '/srv/sp2/bs.pem', keyFile: '/srv/sp2/bs.key', trustedCaFile: '/srv/sp2/ca2.pem',
    serverUri: 'coaps://lwm2m.sp2.example:5684', lifetime: 300,
  });
  // With our own server, serverUri defaults (createSp2Bootstrap: dm.server's coaps URI); serverTrust and lifetime as given.
  j.dm = { server: { coapsPort: 5684, certChain: 's.pem', key: 's.key', trustedCa: 't.pem' } };
  j.sp2.bootstrap = { host: '::1', port: 5685, certChain: 'bs.pem', key: 'bs.key', trustedCa: 'ca2.pem', serverTrust: '/pki/ca2-root.pem', lifetime: 86400 };
  expect(parseProviderConfig(j, '/srv/sp2/sp2.json').sp2!.bootstrap).toEqual({
    host: '::1', port: 5685, certChainFile: '/srv/sp2/bs.pem', keyFile: '/srv/sp2/bs.key', trustedCaFile: '/srv/sp2/ca2.pem',
    serverTrustFile: '/pki/ca2-root.pem', lifetime: 86400,
  });
  expect(parseProviderConfig(sp2(), '/srv/sp2/sp2.json').sp2!.bootstrap).toBeUndefined();
});

const BS = { port: 5685, certChain: 'bs.pem', key: 'bs.key', trustedCa: 'ca2.pem', serverUri: 'coaps://lwm2m.sp2.example' };

test.each([
  ['no serverUri with dm.leshan', (b: any) => { delete b.serverUri; }, /sp2\.bootstrap\.serverUri is required with dm\.leshan/],
  ['a plain coap serverUri', (b: any) => { b.serverUri = 'coap://lwm2m.sp2.example'; }, /sp2\.bootstrap\.serverUri must be a coaps URI/],
  ['a serverUri that is no URI', (b: any) => { b.serverUri = 'lwm2m'; }, /sp2\.bootstrap\.serverUri is not a URI/],
  ['no port', (b: any) => { delete b.port; }, /sp2\.bootstrap\.port is required/],
  ['port 0', (b: any) => { b.port = 0; }, /sp2\.bootstrap\.port must be an integer from 1 to 65535/],
  ['the EST server\'s port', (b: any) => { b.port = 5690; }, /sp2\.bootstrap\.port is also sp2\.est\.port \(5690\)/],
  ['no key', (b: any) => { delete b.key; }, /sp2\.bootstrap\.key is required/],
  ['no trusted CAs', (b: any) => { delete b.trustedCa; }, /sp2\.bootstrap\.trustedCa is required/],
  ['an empty server trust path', (b: any) => { b.serverTrust = ''; }, /sp2\.bootstrap\.serverTrust must be a non-empty string/],
  ['a zero lifetime', (b: any) => { b.lifetime = 0; }, /sp2\.bootstrap\.lifetime must be an integer from 1/],
  ['an unknown field', (b: any) => { b.psk = 'x'; }, /sp2\.bootstrap has an unknown field "psk"/],
])('refuses a bootstrap section with %s', (_name, change, reason) => {
  const j = sp2();
  j.sp2.bootstrap = { ...BS };
  change(j.sp2.bootstrap);
  expect(refusal(j)).toMatch(reason);
});

test('refuses a bootstrap server on the LwM2M server\'s port, and a bootstrap section that is no object', () => {
  const j = sp2();
  j.dm = { server: { coapsPort: 5684, certChain: 's.pem', key: 's.key', trustedCa: 't.pem' } };
  j.sp2.bootstrap = { ...BS, port: 5684 };
  expect(refusal(j)).toMatch(/sp2\.bootstrap\.port is also dm\.server\.coapsPort \(5684\)/);
  j.sp2.bootstrap = true;
  expect(refusal(j)).toMatch(/sp2\.bootstrap must be a JSON object/);
});

describe('loadProviderConfig', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'provider-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads an owner-only file and refuses one others may read, or of the other role', () => {
    const f = path.join(dir, 'sp1.json');
    writeFileSync(f, JSON.stringify(sp1()), { mode: 0o600 });
    expect(loadProviderConfig(f, 'sp1').signer.keyFile).toBe(path.join(dir, 'keys/signer.key'));
    expect(() => loadProviderConfig(f, 'sp2')).toThrow(/configures SP1, not SP2/);
    chmodSync(f, 0o640);
    expect(() => loadProviderConfig(f)).toThrow(/accessible by group or other \(mode 640\); chmod 600 it/);
    expect(() => loadProviderConfig(path.join(dir, 'missing.json'))).toThrow(ConfigError);
  });
});

const UPDATE = { port: 5683, directory: 'firmware', envelope: 'fw/current.suit' };
const RA = { port: 5700, factoryTrust: 'factory-roots.pem', manifestSigners: 'sp1-firmware-signer.pem' };

test('an SP2 configuration with its update and RA servers: defaults and resolved paths', () => {
  const j = sp2();
  j.sp2.update = { ...UPDATE };
  j.sp2.ra = { ...RA };
  j.sp2.anchors = { updateServer: 'update-signer.pem' };
  const c = parseProviderConfig(j, '/srv/sp2/sp2.json').sp2!;
  expect(c.update).toEqual({ host: '127.0.0.1', port: 5683, directory: '/srv/sp2/firmware', envelope: 'fw/current.suit' });
  expect(c.ra).toEqual({ host: '127.0.0.1', port: 5700, factoryTrustFile: '/srv/sp2/factory-roots.pem', manifestSignersFile: '/srv/sp2/sp1-firmware-signer.pem', fetchTimeoutMs: 10_000 });
  expect(c.anchors).toEqual({ updateServerFile: '/srv/sp2/update-signer.pem' });
  j.sp2.update = { host: '::1', port: 5683, directory: '/var/fw', envelope: '/fw/x.suit' };
  j.sp2.ra = { ...RA, host: '10.0.0.2', fetchTimeoutMs: 2500 };
  const d = parseProviderConfig(j, '/srv/sp2/sp2.json').sp2!;
  expect(d.update).toEqual({ host: '::1', port: 5683, directory: '/var/fw', envelope: 'fw/x.suit' });
  expect(d.ra).toMatchObject({ host: '10.0.0.2', fetchTimeoutMs: 2500 });
  const none = parseProviderConfig(sp2(), '/srv/sp2/sp2.json').sp2!;
  expect([none.update, none.ra]).toEqual([undefined, undefined]);
});

test.each([
  ['an update section without a port', (j: any) => { j.sp2.update = { directory: 'fw' }; }, /sp2\.update\.port is required/],
  ['an update section without a directory', (j: any) => { j.sp2.update = { port: 5683 }; }, /sp2\.update\.directory is required/],
  ['an envelope outside the directory', (j: any) => { j.sp2.update = { ...UPDATE, envelope: '../keys/signer.key' }; }, /sp2\.update\.envelope must be a plain relative path/],
  ['an envelope with a query', (j: any) => { j.sp2.update = { ...UPDATE, envelope: 'fw/x.suit?v=2' }; }, /sp2\.update\.envelope must be a plain relative path/],
  ['an unknown update field', (j: any) => { j.sp2.update = { ...UPDATE, maxBytes: 1 }; }, /sp2\.update has an unknown field "maxBytes"/],
  ['an update server on the EST port', (j: any) => { j.sp2.update = { ...UPDATE, port: 5690 }; }, /sp2\.update\.port is also sp2\.est\.port \(5690\)/],
  ['an RA section without factory trust', (j: any) => { j.sp2.ra = { port: 5700, manifestSigners: 's.pem' }; }, /sp2\.ra\.factoryTrust is required/],
  ['an RA section without manifest signers', (j: any) => { j.sp2.ra = { port: 5700, factoryTrust: 'f.pem' }; }, /sp2\.ra\.manifestSigners is required/],
  ['an RA port 0', (j: any) => { j.sp2.ra = { ...RA, port: 0 }; }, /sp2\.ra\.port must be an integer from 1 to 65535/],
  ['a tiny fetch timeout', (j: any) => { j.sp2.ra = { ...RA, fetchTimeoutMs: 5 }; }, /sp2\.ra\.fetchTimeoutMs must be an integer from 100/],
  ['an RA server on the update server\'s port', (j: any) => { j.sp2.update = { ...UPDATE }; j.sp2.ra = { ...RA, port: 5683 }; }, /sp2\.ra\.port is also sp2\.update\.port \(5683\)/],
  ['an RA server on the bootstrap server\'s port', (j: any) => { j.sp2.bootstrap = { ...BS }; j.sp2.ra = { ...RA, port: 5685 }; }, /sp2\.ra\.port is also sp2\.bootstrap\.port \(5685\)/],
  ['an RA section that is no object', (j: any) => { j.sp2.ra = 'coap://ra'; }, /sp2\.ra must be a JSON object/],
  ['an unknown anchor', (j: any) => { j.sp2.anchors = { raServer: 'x.pem' }; }, /sp2\.anchors has an unknown field "raServer"/],
])('refuses an SP2 configuration with %s', (_name, change, reason) => {
  const j = sp2();
  change(j);
  expect(refusal(j)).toMatch(reason);
});

test('refuses an update or RA server on a port of our own LwM2M server', () => {
  const j = sp2();
  j.dm = { server: { coapsPort: 5684, coapPort: 5683, certChain: 's.pem', key: 's.key', trustedCa: 't.pem' } };
  j.sp2.update = { ...UPDATE };
  expect(refusal(j)).toMatch(/sp2\.update\.port is also dm\.server\.coapPort \(5683\)/);
  j.sp2.update = { ...UPDATE, port: 5686 };
  j.sp2.ra = { ...RA, port: 5684 };
  expect(refusal(j)).toMatch(/sp2\.ra\.port is also dm\.server\.coapsPort \(5684\)/);
});
