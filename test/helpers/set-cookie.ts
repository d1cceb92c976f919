/** A Set-Cookie value as its name, value and attributes (name → value, flags → true), case-folded names. */
export function parseSetCookie(header: string): { name: string; value: string; attributes: Record<string, string | true> } {
  const [pair, ...rest] = header.split('; ');
  const equals = pair!.indexOf('=');
  const attributes: Record<string, string | true> = {};
  for (const part of rest) {
    const at = part.indexOf('=');
    attributes[(at < 0 ? part : part.slice(0, at)).toLowerCase()] = at < 0 ? true : part.slice(at + 1);
  }
  return { name: pair!.slice(0, equals), value: pair!.slice(equals + 1), attributes };
}
