/**
 * `handover demo` in-process with the attestation and update-first flags (a small fleet on the
 * run's Redis): every device attests and updates, then is transferred; the summary carries the
 * attestation and update traffic as their own rows (text table and --json); the flags are
 * refused with --foundation (usage, exit 2).
 */
import * as coap from 'coap';
import { captureIo } from '../../scripts/cli/io';
import { runCli } from '../../scripts/cli/main';
import { cleanPrefix, testRedis } from '../helpers/redis';

jest.setTimeout(90_000);

afterAll(async () => {
  const r = testRedis();
  await cleanPrefix(r, `handover-demo-${process.pid}-`);
  r.disconnect();
  coap.globalAgent.close();
  coap.globalAgentIPv6.close();
});

describe('handover demo --attest --update-first', () => {
  it('transfers every device and reports attestation and update bytes (--json)', async () => {
    const io = captureIo();
    const code = await runCli(['demo', '--devices', '4', '--attest', '--update-first', '--json'], io);
    expect(io.stderr).toBe('');
    expect(code).toBe(0);
    const s = JSON.parse(io.stdout) as { transferred: number; fellBack: number; bytesPerDevice: Record<string, number> };
    expect(s.transferred).toBe(4);
    expect(s.fellBack).toBe(0);
    expect(s.bytesPerDevice.attestation).toBeGreaterThan(400);
    expect(s.bytesPerDevice.update).toBeGreaterThan(2048);
    expect(s.bytesPerDevice.suitEnvelope).toBeGreaterThan(200);
    expect(s.bytesPerDevice.token).toBeGreaterThan(216); // the existing keys stay
  });

  it('shows the attestation row in the table, and no update row without --update-first', async () => {
    const io = captureIo();
    const code = await runCli(['demo', '--devices', '3', '--attest'], io);
    expect(code).toBe(0);
    expect(io.stdout).toMatch(/SP2 RA server coap:\/\/127\.0\.0\.1:\d+\/ra/);
    expect(io.stdout).toMatch(/Remote attestation: challenge \+ EAT \(wire, CoAP\)\s+\d{3,}/);
    expect(io.stdout).not.toMatch(/Update first/);
    expect(io.stdout).toMatch(/transferred\s+3/);
  });

  it('refuses the flags with --foundation', async () => {
    const io = captureIo();
    expect(await runCli(['demo', '--foundation', '--attest'], io)).toBe(2);
    expect(io.stderr).toMatch(/--attest and --update-first/);
  });
});
