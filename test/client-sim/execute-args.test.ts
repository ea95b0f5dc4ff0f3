import { parseExecuteArgs } from '../../client-sim/execute-args';
import { OperationError } from '../../client-sim/errors';

describe('parseExecuteArgs (LwM2M 1.1 Core §5.4.5)', () => {
  it('parses the spec example', () => {
    const args = parseExecuteArgs("0='abc',1,5='x y'");
    expect([...args.values]).toEqual([[0, 'abc'], [1, null], [5, 'x y']]);
    expect(args.raw).toBe("0='abc',1,5='x y'");
  });

  it('accepts an empty payload', () => {
    expect(parseExecuteArgs('').values.size).toBe(0);
  });

  it.each(["a", "0=abc", "0='abc", "0,", "0,0", "10", "0='a'b", "0='it''s'"])('refuses %p with 4.00', (text) => {
    let err: unknown;
    try { parseExecuteArgs(text); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(OperationError);
    expect((err as OperationError).coapCode).toBe('4.00');
  });
});
