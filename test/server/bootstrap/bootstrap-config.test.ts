import { InvalidInputError } from '../../../common/errors';
import { standardModels } from '../../../objects/ddf-loader';
import { parseBootstrapConfig, securityInstance, serverInstance, writeInstance } from '../../../server/bootstrap/bootstrap-config';

describe('bootstrap configuration', () => {
  const good = {
    toDelete: ['/0', '1'],
    security: { 1: { uri: 'coaps://dm:5684', bootstrapServer: false, securityMode: 0, publicKeyOrIdentity: '6964', secretKey: '00ff', shortServerId: 1 } },
    servers: { 0: { shortServerId: 1, lifetime: 300, binding: 'UQ' } },
    writes: [{ path: '/3/0', values: { 14: '+02' } }],
    read: ['/1'],
  };

  it('validates and normalises a configuration', () => {
    const c = parseBootstrapConfig(good);
    expect(c.toDelete).toEqual(['/0', '/1']);
    expect(c.security?.['1']).toMatchObject({ securityMode: 0, secretKey: '00ff' });
    const sec = securityInstance(1, c.security!['1']);
    expect(sec.resources.get(3)).toMatchObject({ value: new Uint8Array([0x69, 0x64]) });
    expect(sec.resources.get(10)).toMatchObject({ value: 1n });
    expect(serverInstance(0, c.servers!['0']).resources.get(7)).toMatchObject({ value: 'UQ' });
    expect(writeInstance(c.writes![0], standardModels()).node.resources.get(14)).toMatchObject({ type: 'STRING', value: '+02' });
  });

  it.each([
    ['not an object', []],
    ['unknown field', { ...good, extra: 1 }],
    ['bad uri', { security: { 0: { uri: 'http://x', bootstrapServer: true, securityMode: 3 } } }],
    ['bad security mode', { security: { 0: { uri: 'coap://x', bootstrapServer: true, securityMode: 9 } } }],
    ['bad hex', { security: { 0: { uri: 'coap://x', bootstrapServer: true, securityMode: 0, secretKey: 'xyz' } } }],
    ['bad instance id', { servers: { a: { shortServerId: 1, lifetime: 1 } } }],
    ['bad short server id', { servers: { 0: { shortServerId: 0, lifetime: 1 } } }],
    ['bad path', { toDelete: ['/x'] }],
    ['write not on an instance', { writes: [{ path: '/3', values: {} }] }],
  ])('refuses %s', (_n, cfg) => {
    expect(() => parseBootstrapConfig(cfg)).toThrow(InvalidInputError);
  });

  it('refuses writes of unknown resources or badly typed values', () => {
    expect(() => writeInstance({ path: '/3/0', values: { 999: 'x' } }, standardModels())).toThrow(InvalidInputError);
    expect(() => writeInstance({ path: '/1/0', values: { 1: 'soon' } }, standardModels())).toThrow(InvalidInputError);
  });
});
