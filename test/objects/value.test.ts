/** Text representation of values (LwM2M 1.1 Core Appendix C "Text Format") and value checks. */
import { PayloadError } from '../../objects/errors';
import type { ResourceType } from '../../objects/model';
import type { ResourceValue } from '../../objects/node';
import { checkValue, objLinkFromText, valueFromText, valueToText } from '../../objects/value';

describe('valueToText / valueFromText', () => {
  const cases: Array<[string, ResourceType, ResourceValue, string]> = [
    ['Appendix C: integer -750 is "-750"', 'INTEGER', -750n, '-750'],
    ['Appendix C: opaque 01..05 is "AQIDBAU="', 'OPAQUE', Uint8Array.of(1, 2, 3, 4, 5), 'AQIDBAU='],
    ['Appendix C: time 1476186613 (11-Oct-16 11:50:13 UTC)', 'TIME', new Date(Date.UTC(2016, 9, 11, 11, 50, 13)), '1476186613'],
    ['Appendix C: object link "10:3"', 'OBJLNK', { objectId: 10, instanceId: 3 }, '10:3'],
    ['boolean true is "1"', 'BOOLEAN', true, '1'],
    ['boolean false is "0"', 'BOOLEAN', false, '0'],
    ['float', 'FLOAT', 6.667e-11, '6.667e-11'],
    ['unsigned 2^64-1', 'UNSIGNED_INTEGER', 2n ** 64n - 1n, '18446744073709551615'],
    ['string', 'STRING', 'Open Mobile Alliance', 'Open Mobile Alliance'],
    ['core link', 'CORELNK', '</3/0>', '</3/0>'],
    ['none', 'NONE', null, ''],
  ];
  it.each(cases)('%s', (_t, type, value, text) => {
    expect(valueToText(value, type)).toBe(text);
    expect(valueFromText(text, type)).toEqual(value);
  });

  it('reads "0.00000000006667" as 6.667e-11 and true/false as booleans', () => {
    expect(valueFromText('0.00000000006667', 'FLOAT')).toBe(6.667e-11);
    expect(valueFromText('true', 'BOOLEAN')).toBe(true);
    expect(valueFromText('false', 'BOOLEAN')).toBe(false);
    expect(objLinkFromText('FFFF:FFFF')).toEqual({ objectId: 65535, instanceId: 65535 });
  });

  it.each([
    ['', 'INTEGER'], ['1.5', 'INTEGER'], ['9223372036854775808', 'INTEGER'], ['-1', 'UNSIGNED_INTEGER'],
    ['abc', 'FLOAT'], ['NaN', 'FLOAT'], ['1e999', 'FLOAT'], ['2', 'BOOLEAN'], ['AQI', 'OPAQUE'], ['1.5', 'TIME'],
    ['3', 'OBJLNK'], ['65536:0', 'OBJLNK'], ['x', 'NONE'],
  ] as Array<[string, ResourceType]>)('refuses "%s" as %s', (text, type) => {
    expect(() => valueFromText(text, type)).toThrow(PayloadError);
  });

  it('checkValue accepts safe integral numbers for integers and refuses mismatches', () => {
    expect(checkValue(5, 'INTEGER')).toBe(5n);
    expect(checkValue(5n, 'FLOAT')).toBe(5);
    expect(() => checkValue(1.5, 'INTEGER')).toThrow(PayloadError);
    expect(() => checkValue('x', 'BOOLEAN')).toThrow(PayloadError);
    expect(() => checkValue(new Date(NaN), 'TIME')).toThrow(PayloadError);
    expect(() => checkValue({ objectId: 70000, instanceId: 0 }, 'OBJLNK')).toThrow(PayloadError);
    expect(() => valueToText(Infinity, 'FLOAT')).toThrow(PayloadError);
  });
});
