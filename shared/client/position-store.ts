import { ConfigError } from './errors.js';
import { ULID_PATTERN } from '@syncbell/contract/wire';
import { unverifiedClaims } from './token-claims.js';

/** The part of the Web Storage API the SDK uses; `sessionStorage`, `localStorage` and a Map wrapper fit. */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/**
 * Where the client keeps its resume position between page loads: the tab's `sessionStorage`
 * (a reload resumes; a new tab starts fresh), the origin's `localStorage` (shared by every tab and
 * kept across browser restarts), `'off'`, or a storage the app provides.
 */
export type PositionStorage = 'session' | 'local' | 'off' | StorageLike;

/** Every stored position's key starts with this; the rest is the backend URL and the user. */
export const POSITION_KEY_PREFIX = 'syncbell:position:';

/**
 * The storage key for one backend and one user: the URL without its query and fragment (a page
 * may add a per-tab id there, as the playground does) and the token's `sub`. Undefined when the
 * token has no readable `sub` (an opaque token): then nothing is stored, so one user's position
 * is never used for another on the same tab.
 */
export function positionKey(url: string, token: string): string | undefined {
  const sub = unverifiedClaims(token)?.sub;
  if (typeof sub !== 'string' || sub === '') return undefined;
  const backend = url.replace(/[?#].*$/s, '');
  return `${POSITION_KEY_PREFIX}${JSON.stringify([backend, sub])}`;
}

function isStorageLike(value: unknown): value is StorageLike {
  const candidate = value as Partial<StorageLike> | null | undefined;
  return typeof candidate?.getItem === 'function' && typeof candidate.setItem === 'function';
}

/** Refuses a `positionStorage` option that is none of its forms, with a `ConfigError` naming it. */
export function checkPositionStorage(option: unknown): PositionStorage | undefined {
  if (option === undefined || option === 'session' || option === 'local' || option === 'off') return option;
  if (isStorageLike(option)) return option;
  throw new ConfigError(
    `createClient: positionStorage must be 'session', 'local', 'off' or an object with getItem and setItem, got ${
      typeof option === 'string' ? `'${option}'` : typeof option
    }`,
  );
}

/**
 * The browser storage a name stands for, or the reason it cannot be used. Reading the global
 * itself can throw (a `SecurityError` when the browser blocks site data), so it is read here.
 */
// The Errors here are returned, never thrown: the reason the storage is unusable, which the store
// reports in its one console.warn before falling back to memory (nothing reaches the app), so
// they carry no code.
function webStorage(name: 'sessionStorage' | 'localStorage'): StorageLike | Error {
  try {
    const storage = (globalThis as Record<string, unknown>)[name];
    return isStorageLike(storage) ? storage : new Error(`${name} is not available here`);
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** The default: `'session'` where the platform has a `sessionStorage` (browsers), else `'off'` (Node). */
function defaultPositionStorage(): PositionStorage {
  return webStorage('sessionStorage') instanceof Error ? 'off' : 'session';
}

class MemoryStorage implements StorageLike {
  readonly #items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.#items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.#items.set(key, value);
  }
}

/** What choosing the key for a connect's token found. */
export interface PositionSelection {
  /** True on the client's first connect. */
  first: boolean;
  /** True when the key differs from the previous connect's (always on the first). */
  changed: boolean;
  /** The position stored under the new key, when `changed` and one was stored. */
  stored: string | undefined;
}

/**
 * The client's resume position, kept per backend and per user in a Web Storage so a reloaded
 * page resumes after what the previous page handed the app. A storage that throws (Safari's
 * private mode in older versions, a full quota, blocked site data) never breaks the client: it is
 * replaced by memory for the rest of the client's life (positions survive reconnects, not page
 * loads) and reported once with `console.warn`, as the SDK reports a throwing event handler.
 * Hand-written: a get and a set under one key, around a storage no library wraps smaller.
 */
export class PositionStore {
  readonly #url: string;
  #storage: StorageLike | undefined;
  #key: string | undefined;
  #selected = false;
  /** What is stored under `#key` as far as this store knows: read at `select`, or last saved. */
  #known: string | undefined;
  /** The position when the page began to be left (`beforeunload`), restored at `pagehide`. */
  #atLeave: { key: string; id: string } | undefined;
  /** The page is gone (`pagehide`): nothing is saved until it is shown again (`pageshow`). */
  #hidden = false;
  #unwatch: (() => void) | undefined;

  constructor(option: PositionStorage | undefined, url: string) {
    this.#url = url;
    const chosen = option ?? defaultPositionStorage();
    if (chosen === 'off') return;
    if (chosen === 'session' || chosen === 'local') {
      const storage = webStorage(chosen === 'session' ? 'sessionStorage' : 'localStorage');
      this.#storage = storage instanceof Error ? this.#fallBack(storage) : storage;
    } else this.#storage = chosen;
  }

  /** Picks the key for this connect's token; called before every (re)connect. */
  select(token: string): PositionSelection {
    // Keyed even when nothing is stored, so a change of user is noticed with the storage off too.
    const key = positionKey(this.#url, token);
    const first = !this.#selected;
    const changed = first || key !== this.#key;
    this.#selected = true;
    this.#key = key;
    const stored = changed ? this.#read() : undefined;
    if (changed) this.#known = stored;
    return { first, changed, stored };
  }

  /**
   * Follows the page's life (a browser's `beforeunload`, `pagehide`, `pageshow`; nothing where
   * the global has no `addEventListener`, as in Node) until `unwatch`. A reload or a navigation
   * starts with `beforeunload`, and the old page stays loaded and connected until the new one
   * commits: what it is handed then (a sync finishing during the reload) is on a page the user is
   * leaving. So at `pagehide` the position goes back to where it stood at `beforeunload`, and the
   * next page load replays those. A cancelled navigation (no `pagehide`) changes nothing.
   */
  watchPage(scope: unknown = globalThis): void {
    const target = scope as Partial<Pick<EventTarget, 'addEventListener' | 'removeEventListener'>>;
    if (this.#unwatch || this.#storage === undefined || typeof target.addEventListener !== 'function') return;
    const handlers: [string, (event: Event) => void][] = [
      [
        'beforeunload',
        () => {
          this.#atLeave =
            this.#key !== undefined && this.#known !== undefined
              ? { key: this.#key, id: this.#known }
              : undefined;
        },
      ],
      [
        'pagehide',
        () => {
          const atLeave = this.#atLeave;
          this.#atLeave = undefined;
          if (atLeave) this.#write(atLeave.key, atLeave.id);
          this.#hidden = true;
        },
      ],
      [
        'pageshow',
        () => {
          this.#hidden = false;
        },
      ],
    ];
    for (const [type, handler] of handlers) target.addEventListener(type, handler);
    this.#unwatch = () => {
      for (const [type, handler] of handlers) target.removeEventListener?.(type, handler);
    };
  }

  unwatch(): void {
    this.#unwatch?.();
    this.#unwatch = undefined;
  }

  /** True when `token` is for the user (and URL) of the last `select`: a handover keeps the position. */
  isCurrentUser(token: string): boolean {
    return this.#selected && positionKey(this.#url, token) === this.#key;
  }

  /** Remembers `id` (a notification id or a resume cursor) under the current key. */
  save(id: string): void {
    const key = this.#key;
    if (key === undefined || this.#storage === undefined || this.#hidden) return;
    this.#known = id;
    this.#write(key, id);
  }

  #write(key: string, id: string): void {
    if (this.#storage === undefined) return;
    try {
      this.#storage.setItem(key, id);
    } catch (error) {
      this.#fallBack(error).setItem(key, id);
    }
  }

  #read(): string | undefined {
    const key = this.#key;
    if (key === undefined || this.#storage === undefined) return undefined;
    let value: string | null;
    try {
      value = this.#storage.getItem(key);
    } catch (error) {
      value = this.#fallBack(error).getItem(key);
    }
    // Anything else would be refused by the server's resume check and fail every connect.
    return typeof value === 'string' && ULID_PATTERN.test(value) ? value : undefined;
  }

  #fallBack(error: unknown): StorageLike {
    const memory = new MemoryStorage();
    this.#storage = memory;
    console.warn(
      'syncbell: the position storage failed; resume positions are kept in memory only (a reload will not resume)',
      error,
    );
    return memory;
  }
}
