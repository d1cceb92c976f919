import { APP_PROTOCOL } from './wire';

/** Where an anonymous id is kept: `sessionStorage` by default (one id per tab), or any store with these two methods. */
export interface IdStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** A fresh token, asked for at every connection and again before the current one expires. */
export type TokenProvider = () => string | Promise<string>;

/**
 * How the connection authenticates (docs/protocol.md, "Connecting"):
 * - `anonymous`: a random id (kept in `store` under `key`) is the only subprotocol, as in the AWS sample;
 * - `bearer`: `ws-sessions.v1` and `bearer.<token>` as subprotocols (the stage's `jwt` mode);
 * - `two-phase`: `ws-sessions.v1`, then `{"action":"auth","token":…}` before anything else;
 * - `cookie`: `ws-sessions.v1`; the browser sends the token's cookie (`token`, when given, refreshes it
 *   on the live connection with `auth`).
 */
export type AuthOptions =
  | { mode: 'anonymous'; store?: IdStore; key?: string }
  | { mode: 'bearer' | 'two-phase'; token: TokenProvider }
  | { mode: 'cookie'; token?: TokenProvider };

const memoryStore = (): IdStore => {
  const items = new Map<string, string>();
  return { getItem: (key) => items.get(key) ?? null, setItem: (key, value) => void items.set(key, value) };
};

/**
 * The anonymous id in `store` under `key`, created (`crypto.randomUUID()`) and kept there on first use.
 *
 * @example
 * anonymousId(sessionStorage, 'websocket-sessions.id'); // '3f0c…', the same on every call in this tab
 */
export function anonymousId(store: IdStore, key: string): string {
  let id = store.getItem(key);
  if (!id) store.setItem(key, (id = crypto.randomUUID()));
  return id;
}

/** The default store: the tab's `sessionStorage` where there is one, else memory (Node). */
export const defaultStore = (): IdStore => globalThis.sessionStorage ?? memoryStore();

/** The `exp` claim of a JWT (epoch seconds), if it has a readable one. */
export function tokenExpiry(token: string): number | undefined {
  try {
    const exp = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))).exp;
    return typeof exp === 'number' ? exp : undefined;
  } catch {
    return undefined;
  }
}

/** The subprotocols to offer and the token in use (to send as `auth` in `two-phase` mode). */
export async function credentials(auth: AuthOptions): Promise<{ protocols: string[]; token?: string }> {
  if (auth.mode === 'anonymous') return { protocols: [anonymousId(auth.store ?? defaultStore(), auth.key ?? 'websocket-sessions.id')] };
  if (auth.mode === 'cookie') return { protocols: [APP_PROTOCOL] };
  const token = await auth.token();
  return { protocols: auth.mode === 'bearer' ? [APP_PROTOCOL, `bearer.${token}`] : [APP_PROTOCOL], token };
}
