/** A CoRE link (RFC 6690) with its attributes; a null value is an attribute without a value. */
export interface Link {
  readonly url: string;
  readonly attributes: Readonly<Record<string, string | null>>;
}
