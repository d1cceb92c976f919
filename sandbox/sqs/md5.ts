import { createHash } from 'node:crypto';

/** A message attribute as SQS stores it (binary values decoded). */
export interface MessageAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: Buffer;
}

/** Lowercase hex MD5 of the UTF-8 bytes of `data`: SQS's `MD5OfMessageBody` / `MD5OfBody`. */
export const md5Hex = (data: string | Buffer): string => createHash('md5').update(data).digest('hex');

const lengthPrefixed = (bytes: Buffer): Buffer => {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
};

/**
 * `MD5OfMessageAttributes` (and `MD5OfMessageSystemAttributes`), as the SQS developer guide defines it:
 * attributes sorted by name; for each, the length-prefixed (4 bytes, big endian) UTF-8 name, the
 * length-prefixed data type, one transport byte (1 for String and Number, 2 for Binary) and the
 * length-prefixed value. Undefined for no attributes, as SQS omits the field.
 */
export function md5OfMessageAttributes(attributes: Record<string, MessageAttribute>): string | undefined {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const hash = createHash('md5');
  for (const name of names) {
    const attribute = attributes[name]!;
    const binary = attribute.DataType.startsWith('Binary');
    hash.update(lengthPrefixed(Buffer.from(name, 'utf8')));
    hash.update(lengthPrefixed(Buffer.from(attribute.DataType, 'utf8')));
    hash.update(Buffer.from([binary ? 2 : 1]));
    hash.update(lengthPrefixed(binary ? (attribute.BinaryValue ?? Buffer.alloc(0)) : Buffer.from(attribute.StringValue ?? '', 'utf8')));
  }
  return hash.digest('hex');
}

/** Bytes an attribute counts toward the 256 KiB message size: name, data type and value. */
export const attributeSize = (name: string, attribute: MessageAttribute): number =>
  Buffer.byteLength(name) +
  Buffer.byteLength(attribute.DataType) +
  (attribute.BinaryValue ? attribute.BinaryValue.length : Buffer.byteLength(attribute.StringValue ?? ''));
