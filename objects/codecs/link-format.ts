/**
 * CoRE Link Format (RFC 6690, content format 40): what Register/Update carry, what Discover and
 * Bootstrap-Discover answer, e.g. `</>;rt="oma.lwm2m";ct=11543, </1/0>,</3/0>;ver=1.1`.
 *
 * Attribute values are kept exactly as written on the wire: a quoted-string keeps its quotes and
 * escapes (`rt` → `"oma.lwm2m"`), a token does not (`ver` → `1.1`), an attribute without value is
 * null. That keeps parse → format lossless; use attributeValue()/unquote() to read the text and
 * quote() to build a quoted value.
 */
import type { Link } from '../link';
import { PayloadError } from '../errors';

const WS = new Set([' ', '\t', '\r', '\n']);
/** RFC 5987 attr-char, the characters of a parmname. */
const PARMNAME = /^[A-Za-z0-9!#$&+\-.^_`|~]+$/;
/** RFC 6690 ptokenchar. */
const PTOKEN = /^[A-Za-z0-9!#$%&'()*+\-./:<=>?@[\]^_`{|}~]+$/;
const QUOTED = /^"(?:[^"\\]|\\.)*"$/s;

/** Parse a link-format document. The empty document is no links. Throws PayloadError. */
export function parseLinks(text: string): Link[] {
  const links: Link[] = [];
  let i = 0;
  const fail = (what: string): never => {
    throw new PayloadError(`Invalid link format at offset ${i}: ${what}`, { details: { offset: i } });
  };
  const skipWs = () => {
    while (i < text.length && WS.has(text[i])) i++;
  };
  skipWs();
  if (i === text.length) return links;
  for (;;) {
    skipWs();
    if (text[i] !== '<') fail('expected "<"');
    const close = text.indexOf('>', i + 1);
    if (close < 0) fail('unterminated "<"');
    const url = text.slice(i + 1, close);
    if (/[\s<"]/.test(url) || /[\u0000-\u001f\u007f]/.test(url)) fail(`invalid URI reference "${url}"`);
    i = close + 1;
    const attributes: Record<string, string | null> = {};
    skipWs();
    while (text[i] === ';') {
      i++;
      skipWs();
      const start = i;
      while (i < text.length && /[A-Za-z0-9!#$&+\-.^_`|~]/.test(text[i])) i++;
      const name = text.slice(start, i);
      if (name === '') fail('expected an attribute name');
      skipWs();
      let value: string | null = null;
      if (text[i] === '=') {
        i++;
        skipWs();
        value = text[i] === '"' ? readQuoted() : readToken();
        skipWs();
      }
      // RFC 6690 allows repeated parameters; the first occurrence is the one that counts here.
      if (!Object.hasOwn(attributes, name)) attributes[name] = value;
    }
    links.push({ url, attributes });
    if (i === text.length) return links;
    if (text[i] !== ',') fail('expected "," or ";"');
    i++;
  }

  function readQuoted(): string {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail('unterminated quoted string');
    i++;
    return text.slice(start, i);
  }

  function readToken(): string {
    const start = i;
    while (i < text.length && text[i] !== ';' && text[i] !== ',' && !WS.has(text[i])) i++;
    const token = text.slice(start, i);
    if (!PTOKEN.test(token)) fail(`invalid attribute value "${token}"`);
    return token;
  }
}

/**
 * Format links as `<url>;name=value;flag,<url2>`. Values are written verbatim and must be a
 * token or a quoted-string (see quote()); anything else is a PayloadError.
 */
export function formatLinks(links: readonly Link[]): string {
  return links.map(formatLink).join(',');
}

function formatLink(link: Link): string {
  if (/[\s<>"]/.test(link.url) || /[\u0000-\u001f\u007f]/.test(link.url)) throw new PayloadError(`Invalid link URI "${link.url}"`);
  let out = `<${link.url}>`;
  for (const [name, value] of Object.entries(link.attributes)) {
    if (!PARMNAME.test(name)) throw new PayloadError(`Invalid link attribute name "${name}"`);
    if (value === null) {
      out += `;${name}`;
      continue;
    }
    if (!PTOKEN.test(value) && !QUOTED.test(value)) throw new PayloadError(`Link attribute ${name} is neither a token nor a quoted-string (see quote()): ${value}`);
    out += `;${name}=${value}`;
  }
  return out;
}

/** A quoted-string for `text` (escapes `"` and `\`). */
export function quote(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => '\\' + c)}"`;
}

/** The text of an attribute value: quotes and escapes removed from a quoted-string. */
export function unquote(value: string): string {
  if (!QUOTED.test(value)) return value;
  return value.slice(1, -1).replace(/\\(.)/gs, '$1');
}

/** The unquoted value of attribute `name`: undefined when absent, null when it has no value. */
export function attributeValue(link: Link, name: string): string | null | undefined {
  if (!Object.hasOwn(link.attributes, name)) return undefined;
  const v = link.attributes[name];
  return v === null ? null : unquote(v);
}
