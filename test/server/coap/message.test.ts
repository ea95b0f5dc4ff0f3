import { CoapFormatError, describeOptions, emptyMessage, encodeBareResponse, parseHeader, parseMessage } from '../../../server/coap/message';
import { encode, OPT } from '../raw-coap';

describe('CoAP message format (RFC 7252 §3)', () => {
  it('parses header, token, extended options and payload', () => {
    const long = 'x'.repeat(300);
    const buf = encode({ code: [0, 2], mid: 0xbeef, token: Buffer.of(1, 2), options: [[OPT.URI_PATH, 'rd'], [OPT.URI_QUERY, long], [OPT.CONTENT_FORMAT, 11542], [2000, 'far']], payload: 'hi' });
    const m = parseMessage(buf);
    expect(m).toMatchObject({ type: 'CON', code: '0.02', codeClass: 0, messageId: 0xbeef });
    expect(m.token).toEqual(Buffer.of(1, 2));
    expect(m.options.map((o) => o.number)).toEqual([11, 12, 15, 2000]);
    expect(m.options[2].value.toString()).toBe(long);
    expect(m.payload.toString()).toBe('hi');
    expect(describeOptions(m.options)).toBe(`Uri-Path: rd, Content-Format: 11542, Uri-Query: ${long}, Option-2000: 6709618`);
  });

  it.each([
    ['too short', Buffer.of(0x40, 1)],
    ['version 2', Buffer.of(0x80, 1, 0, 1)],
    ['token length 9', Buffer.of(0x49, 1, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9)],
    ['option nibble 15', Buffer.of(0x40, 1, 0, 1, 0xf0)],
    ['option past the end', Buffer.of(0x40, 1, 0, 1, 0xb5, 0x61)],
    ['marker without payload', Buffer.of(0x40, 1, 0, 1, 0xff)],
    ['empty message with a token', Buffer.of(0x41, 0, 0, 1, 7)],
  ])('refuses %s', (_n, buf) => {
    expect(() => parseMessage(buf)).toThrow(CoapFormatError);
  });

  it('builds empty ACK/RST and bare responses', () => {
    expect(parseMessage(emptyMessage('RST', 513))).toMatchObject({ type: 'RST', code: '0.00', messageId: 513 });
    const header = parseHeader(Buffer.of(0x42, 0x02, 0, 9, 0xaa, 0xbb))!;
    const ack = parseMessage(encodeBareResponse(header, '4.00', 'bad', 77));
    expect(ack).toMatchObject({ type: 'ACK', code: '4.00', messageId: 9 });
    expect(ack.payload.toString()).toBe('bad');
    const non = parseMessage(encodeBareResponse({ ...header, type: 'NON' }, '4.02', '', 77));
    expect(non).toMatchObject({ type: 'NON', code: '4.02', messageId: 77 });
  });
});
