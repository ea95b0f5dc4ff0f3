/** CoRE link format: RFC 6690 syntax and the LwM2M registration / discover payloads. */
import { PayloadError } from '../../../objects/errors';
import { attributeValue, formatLinks, parseLinks, quote, unquote } from '../../../objects/codecs/link-format';

describe('parseLinks', () => {
  it('parses a registration payload with the root link (LwM2M 1.1 Core draft §5.3.1 Register example)', () => {
    const text = '</>;ct=11543, </1/0>,</1/1>,</2/0>,</2/1>,</2/2>,</2/3>,</2/4>,</3/0>,</4/0>,</5>';
    const links = parseLinks(text);
    expect(links).toHaveLength(11);
    expect(links[0]).toEqual({ url: '/', attributes: { ct: '11543' } });
    expect(links[10]).toEqual({ url: '/5', attributes: {} });
  });

  it('keeps quoted values raw and attributes without value as null', () => {
    const links = parseLinks('</>;rt="oma.lwm2m";ct="60 110 11543", </1/0>,</3/0>;ver=1.1, </33001>;obs');
    expect(links[0].attributes).toEqual({ rt: '"oma.lwm2m"', ct: '"60 110 11543"' });
    expect(attributeValue(links[0], 'rt')).toBe('oma.lwm2m');
    expect(attributeValue(links[0], 'ct')).toBe('60 110 11543');
    expect(attributeValue(links[2], 'ver')).toBe('1.1');
    expect(attributeValue(links[3], 'obs')).toBeNull();
    expect(attributeValue(links[3], 'missing')).toBeUndefined();
  });

  it('parses a Discover answer with notification attributes (LwM2M 1.1 Core draft §5.4.2 Discover example)', () => {
    const links = parseLinks('</3/0>;pmax=60, </3/0/1>, </3/0/2>, </3/0/3>, </3/0/4>, </3/0/6>;dim=8,</3/0/7>;dim=8;gt=50;lt=42.2,</3/0/8>;dim=8,</3/0/11>,</3/0/16>');
    expect(links.map((l) => l.url)).toEqual(['/3/0', '/3/0/1', '/3/0/2', '/3/0/3', '/3/0/4', '/3/0/6', '/3/0/7', '/3/0/8', '/3/0/11', '/3/0/16']);
    expect(links[6].attributes).toEqual({ dim: '8', gt: '50', lt: '42.2' });
  });

  it('accepts commas, semicolons and escaped quotes inside quoted values', () => {
    const links = parseLinks('</0/0>;uri="coap://a.example, b;c";title="say \\"hi\\"",</0/1>');
    expect(links).toHaveLength(2);
    expect(attributeValue(links[0], 'uri')).toBe('coap://a.example, b;c');
    expect(attributeValue(links[0], 'title')).toBe('say "hi"');
  });

  it('keeps the first of repeated parameters and tolerates whitespace', () => {
    const links = parseLinks('  </a> ; x = 1 ; x=2 ,\n</b>  ');
    expect(links).toEqual([{ url: '/a', attributes: { x: '1' } }, { url: '/b', attributes: {} }]);
  });

  it('treats an empty document as no links', () => {
    expect(parseLinks('')).toEqual([]);
    expect(parseLinks('  \n')).toEqual([]);
  });

  it.each([
    ['no angle bracket', '/3/0'],
    ['unterminated URI', '</3/0'],
    ['trailing comma', '</3/0>,'],
    ['garbage after link', '</3/0>x'],
    ['unterminated quote', '</3/0>;rt="abc'],
    ['empty attribute name', '</3/0>;=1'],
    ['bad token value', '</3/0>;a=b"c'],
    ['space inside URI', '</3 /0>'],
  ])('%s → PayloadError', (_title, text) => {
    expect(() => parseLinks(text)).toThrow(PayloadError);
  });
});

describe('formatLinks', () => {
  it('writes links as parsed, so parse → format is lossless', () => {
    const text = '</>;rt="oma.lwm2m";ct=11543,</1/0>,</3/0>;ver=1.1,</3/0/7>;dim=8;gt=50;lt=42.2,</5>;obs';
    expect(formatLinks(parseLinks(text))).toBe(text);
  });

  it('quote/unquote round-trip any text', () => {
    for (const s of ['oma.lwm2m', 'a "b" \\c', '', 'x,y;z']) {
      const q = quote(s);
      expect(unquote(q)).toBe(s);
      expect(attributeValue(parseLinks(formatLinks([{ url: '/', attributes: { t: q } }]))[0], 't')).toBe(s);
    }
  });

  it('refuses values that are neither token nor quoted-string, and bad names or URIs', () => {
    expect(() => formatLinks([{ url: '/', attributes: { rt: 'two words' } }])).toThrow(PayloadError);
    expect(() => formatLinks([{ url: '/', attributes: { rt: 'a,b' } }])).toThrow(PayloadError);
    expect(() => formatLinks([{ url: '/', attributes: { 'bad name': '1' } }])).toThrow(PayloadError);
    expect(() => formatLinks([{ url: '/a>b', attributes: {} }])).toThrow(PayloadError);
  });

  it('formats the empty list as the empty document', () => {
    expect(formatLinks([])).toBe('');
  });
});
