/** scripts/message-sizes.ts builds every protocol message for real and measures it. */
import { measureMessageSizes } from '../../scripts/message-sizes';

test('every message is measured, with sizes in the ranges Table I and the encodings imply', async () => {
  const rows = await measureMessageSizes(100);
  const size = (prefix: string) => rows.find((r) => r.message.startsWith(prefix))!.bytes;
  process.stdout.write(JSON.stringify(rows, null, 1) + '\n');
  expect(rows).toHaveLength(7);
  const cert = size('Factory certificate');
  expect(cert).toBeGreaterThan(300);
  expect(size('DeviceUpdateInfo')).toBeGreaterThan(cert);
  expect(size('DeviceUpdateInfo')).toBeLessThan(cert + 80);
  const list = size('UpdateInfoList, 100 devices (CBOR)');
  expect(size('UpdateInfoList, 100 devices (compact JWS)')).toBeGreaterThan(list * 4 / 3);
  expect(size('TransferMessage')).toBeGreaterThan(216);
  expect(size('Transfer token (CWT')).toBeGreaterThan(size('Transfer token, minimal'));
});
