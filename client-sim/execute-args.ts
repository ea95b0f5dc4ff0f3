/**
 * Execute arguments (LwM2M 1.1 Core §5.4.5): `arg *("," arg)`, `arg = DIGIT ["=" "'" *CHAR "'"]`,
 * CHAR being printable ASCII except the quote. Anything else is a 4.00 Bad Request.
 */
import { OperationError } from './errors';

export interface ExecuteArgs {
  /** The payload text as received ("" when none). */
  readonly raw: string;
  /** Argument digit → value (null when the argument has no value). */
  readonly values: ReadonlyMap<number, string | null>;
}

export const NO_ARGS: ExecuteArgs = Object.freeze({ raw: '', values: new Map<number, string | null>() });

export function parseExecuteArgs(text: string): ExecuteArgs {
  const values = new Map<number, string | null>();
  if (text === '') return { raw: text, values };
  let i = 0;
  while (i < text.length) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) throw OperationError.badRequest(`Invalid execute argument at ${i}: expected a digit`);
    i++;
    let value: string | null = null;
    if (text[i] === '=') {
      if (text[i + 1] !== "'") throw OperationError.badRequest(`Invalid execute argument at ${i + 1}: expected a quote`);
      const end = text.indexOf("'", i + 2);
      if (end < 0) throw OperationError.badRequest('Invalid execute argument: unterminated value');
      value = text.slice(i + 2, end);
      if (!/^[\x21\x23-\x26\x28-\x5b\x5d-\x7e ]*$/.test(value)) throw OperationError.badRequest('Invalid execute argument: value has forbidden characters');
      i = end + 1;
    }
    if (values.has(digit)) throw OperationError.badRequest(`Invalid execute argument: ${digit} given twice`);
    values.set(digit, value);
    if (i < text.length) {
      if (text[i] !== ',') throw OperationError.badRequest(`Invalid execute argument at ${i}: expected ","`);
      i++;
      if (i === text.length) throw OperationError.badRequest('Invalid execute argument: trailing ","');
    }
  }
  return { raw: text, values };
}
