import { AttributeStore, attributeParams, parseAttributeQuery } from '../../client-sim/attributes';
import { OperationError } from '../../client-sim/errors';
import { LwM2mPath } from '../../objects/path';

const code = (fn: () => void): string | undefined => {
  try { fn(); return undefined; } catch (e) { return (e as OperationError).coapCode; }
};

describe('notification attributes', () => {
  it('parses, inherits object → instance → resource, and removes valueless names', () => {
    const store = new AttributeStore();
    store.apply(LwM2mPath.parse('/3'), parseAttributeQuery([['pmin', '10'], ['pmax', '60']], LwM2mPath.parse('/3'), undefined));
    store.apply(LwM2mPath.parse('/3/0/9'), parseAttributeQuery([['pmin', '2'], ['gt', '50.5']], LwM2mPath.parse('/3/0/9'), 'INTEGER'));
    expect(store.effective(LwM2mPath.parse('/3/0/9'))).toEqual({ pmin: 2, pmax: 60, gt: 50.5 });
    expect(store.effective(LwM2mPath.parse('/3/0/1'), { pmin: 1, pmax: 5 })).toEqual({ pmin: 10, pmax: 60 });
    store.apply(LwM2mPath.parse('/3/0/9'), parseAttributeQuery([['pmin', null]], LwM2mPath.parse('/3/0/9'), 'INTEGER'));
    expect(store.effective(LwM2mPath.parse('/3/0/9'))).toEqual({ pmin: 10, pmax: 60, gt: 50.5 });
    expect(attributeParams(store.own(LwM2mPath.parse('/3')))).toEqual({ pmin: '10', pmax: '60' });
  });

  it('refuses bad attributes with 4.00 and stores nothing', () => {
    const p = LwM2mPath.parse('/3/0/9');
    expect(code(() => parseAttributeQuery([['foo', '1']], p, 'INTEGER'))).toBe('4.00');
    expect(code(() => parseAttributeQuery([['pmin', '-1']], p, 'INTEGER'))).toBe('4.00');
    expect(code(() => parseAttributeQuery([['pmin', 'x']], p, 'INTEGER'))).toBe('4.00');
    expect(code(() => parseAttributeQuery([['gt', '1']], LwM2mPath.parse('/3/0'), undefined))).toBe('4.00');
    expect(code(() => parseAttributeQuery([['gt', '1']], LwM2mPath.parse('/3/0/0'), 'STRING'))).toBe('4.00');
    expect(code(() => parseAttributeQuery([], p, 'INTEGER'))).toBe('4.00');
    const store = new AttributeStore();
    expect(code(() => store.apply(p, parseAttributeQuery([['gt', '10'], ['lt', '20']], p, 'INTEGER')))).toBe('4.00');
    expect(code(() => store.apply(p, parseAttributeQuery([['gt', '20'], ['lt', '10'], ['st', '5']], p, 'INTEGER')))).toBe('4.00');
    expect(store.entries()).toEqual([]);
  });
});
