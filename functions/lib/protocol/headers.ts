type HeaderMap = Record<string, string | undefined> | null | undefined;
type MultiHeaderMap = Record<string, string[] | undefined> | null | undefined;

/**
 * Reads a header by name, ignoring case: API Gateway passes header names in the client's original case.
 * Repeated headers (from `multiValueHeaders`) are joined with ", " as HTTP allows.
 */
export function getHeader(
  event: { headers?: HeaderMap; multiValueHeaders?: MultiHeaderMap },
  name: string,
): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, values] of Object.entries(event.multiValueHeaders ?? {})) {
    if (key.toLowerCase() === wanted && values && values.length > 0) return values.join(', ');
  }
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/**
 * Every value of a header, one per occurrence (from `multiValueHeaders`, else `headers`), ignoring
 * case: for headers such as `Cookie` that must not be joined with ", ".
 */
export function getHeaderValues(event: { headers?: HeaderMap; multiValueHeaders?: MultiHeaderMap }, name: string): string[] {
  const wanted = name.toLowerCase();
  const values: string[] = [];
  for (const [key, list] of Object.entries(event.multiValueHeaders ?? {})) {
    if (key.toLowerCase() === wanted && list) values.push(...list);
  }
  if (values.length > 0) return values;
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) values.push(value);
  }
  return values;
}

/** Splits `Sec-WebSocket-Protocol` into the offered subprotocols, in order. */
export function offeredProtocols(headerValue: string | undefined): string[] {
  if (!headerValue) return [];
  return headerValue
    .split(',')
    .map((protocol) => protocol.trim())
    .filter((protocol) => protocol !== '');
}
