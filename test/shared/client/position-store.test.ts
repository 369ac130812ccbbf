import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  checkPositionStorage,
  POSITION_KEY_PREFIX,
  PositionStore,
  positionKey,
  type StorageLike,
} from '../../../shared/client/position-store.js';
import { jwtFor, MapStorage } from '../../support/storage.js';
import { withCode } from '../../support/errors.js';
import { ClientErrorCode } from '../../../shared/client/index.js';

const ID_1 = '01KBXR5N8M6Y1Q2W3E4R5T6Y7A';
const ID_2 = '01KBXR5N8M6Y1Q2W3E4R5T6Y7B';

class ThrowingStorage implements StorageLike {
  getItem(): string | null {
    throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
  }
  setItem(): void {
    throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
  }
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe('positionKey', () => {
  it('is per backend URL and per user, and ignores the query and fragment', () => {
    const alice = jwtFor({ sub: 'alice' });
    const key = positionKey('wss://ws.example.com/prod?client=1', alice);
    expect(key).toBe(`${POSITION_KEY_PREFIX}["wss://ws.example.com/prod","alice"]`);
    expect(positionKey('wss://ws.example.com/prod?client=2#x', alice)).toBe(key);
    expect(positionKey('wss://ws.example.com/prod', jwtFor({ sub: 'bob' }))).not.toBe(key);
    expect(positionKey('https://notify.example.com', alice)).not.toBe(key);
  });

  it('reads a Unicode sub', () => {
    expect(positionKey('u', jwtFor({ sub: 'zoë' }))).toContain('"zoë"');
  });

  it('is undefined for a token without a readable sub (nothing is stored then)', () => {
    expect(positionKey('u', 'opaque-session-token')).toBeUndefined();
    expect(positionKey('u', jwtFor({ name: 'alice' }))).toBeUndefined();
    expect(positionKey('u', jwtFor({ sub: 42 }))).toBeUndefined();
    expect(positionKey('u', 'a.!!!not-base64.c')).toBeUndefined();
  });
});

describe('checkPositionStorage', () => {
  it('takes the three names, a storage object, and undefined (the default)', () => {
    for (const option of ['session', 'local', 'off', undefined])
      expect(checkPositionStorage(option)).toBe(option);
    const storage = new MapStorage();
    expect(checkPositionStorage(storage)).toBe(storage);
  });

  it('refuses anything else with a ConfigError naming the option', () => {
    for (const option of ['sesion', 42, null, { getItem: () => null }]) {
      expect(() => checkPositionStorage(option)).toThrow(
        withCode(ClientErrorCode.InvalidOption, 'positionStorage'),
      );
    }
  });
});

describe('PositionStore', () => {
  const alice = jwtFor({ sub: 'alice' });
  const bob = jwtFor({ sub: 'bob' });

  it('gives a new store the position an earlier one saved for the same backend and user, and nothing to another user', () => {
    const storage = new MapStorage();
    const earlier = new PositionStore(storage, 'wss://a');
    earlier.select(alice);
    earlier.save(ID_1);
    expect(new PositionStore(storage, 'wss://a').select(alice)).toEqual({
      first: true,
      changed: true,
      stored: ID_1,
    });
    expect(new PositionStore(storage, 'wss://a').select(bob)).toEqual({
      first: true,
      changed: true,
      stored: undefined,
    });
    expect(new PositionStore(storage, 'wss://b').select(alice).stored).toBeUndefined();
  });

  it('reports a change of user on a later connect, with that user’s own position', () => {
    const storage = new MapStorage();
    storage.setItem(positionKey('wss://a', bob) as string, ID_2);
    const store = new PositionStore(storage, 'wss://a');
    store.select(alice);
    expect(store.select(alice)).toEqual({ first: false, changed: false, stored: undefined });
    expect(store.select(bob)).toEqual({ first: false, changed: true, stored: ID_2 });
  });

  it('reports a change of user with the storage off too (the client then drops the old user’s position)', () => {
    const store = new PositionStore('off', 'wss://a');
    store.select(alice);
    expect(store.select(bob)).toEqual({ first: false, changed: true, stored: undefined });
  });

  it('ignores a stored value that is not an id (the server would refuse it on every connect)', () => {
    const storage = new MapStorage();
    storage.setItem(positionKey('wss://a', alice) as string, 'garbage');
    expect(new PositionStore(storage, 'wss://a').select(alice).stored).toBeUndefined();
  });

  it('stores nothing when off, or when the token has no sub', () => {
    const storage = new MapStorage();
    const opaque = new PositionStore(storage, 'wss://a');
    opaque.select('opaque');
    opaque.save(ID_1);
    expect(storage.items.size).toBe(0);
    vi.stubGlobal('sessionStorage', storage);
    const off = new PositionStore('off', 'wss://a');
    off.select(alice);
    off.save(ID_1);
    expect(storage.items.size).toBe(0);
  });

  it('uses sessionStorage by default where there is one, and nothing where there is none (Node)', () => {
    const none = new PositionStore(undefined, 'wss://a');
    none.select(alice);
    none.save(ID_1);
    const session = new MapStorage();
    vi.stubGlobal('sessionStorage', session);
    const store = new PositionStore(undefined, 'wss://a');
    store.select(alice);
    store.save(ID_1);
    expect([...session.items.values()]).toEqual([ID_1]);
  });

  it('uses localStorage for local', () => {
    const local = new MapStorage();
    vi.stubGlobal('localStorage', local);
    const store = new PositionStore('local', 'wss://a');
    store.select(alice);
    store.save(ID_2);
    expect([...local.items.values()]).toEqual([ID_2]);
  });

  it('falls back to memory when the storage throws, warns once, and keeps working', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const store = new PositionStore(new ThrowingStorage(), 'wss://a');
    expect(store.select(alice).stored).toBeUndefined();
    store.save(ID_1);
    store.save(ID_2);
    expect(store.select(bob).stored).toBeUndefined();
    expect(store.select(alice).stored).toBe(ID_2);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/position storage failed/);
  });

  it('falls back to memory when reading the storage global itself throws (site data blocked)', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    Object.defineProperty(globalThis, 'localStorage', {
      configurable: true,
      get() {
        throw new DOMException('Access is denied for this document.', 'SecurityError');
      },
    });
    try {
      const store = new PositionStore('local', 'wss://a');
      store.select(alice);
      store.save(ID_1);
      expect(store.select(bob).stored).toBeUndefined();
      expect(warn).toHaveBeenCalledTimes(1);
    } finally {
      Reflect.deleteProperty(globalThis, 'localStorage');
    }
  });
});

describe('PositionStore across leaving the page', () => {
  const ID_3 = '01KBXR5N8M6Y1Q2W3E4R5T6Y7C';
  const alice = jwtFor({ sub: 'alice' });
  const setUp = () => {
    const storage = new MapStorage();
    const page = new EventTarget();
    const store = new PositionStore(storage, 'wss://x/prod');
    store.select(alice);
    store.watchPage(page);
    const stored = () => [...storage.items.values()];
    return { store, page, stored };
  };

  it('goes back at pagehide to the position the page had when it began to be left', () => {
    const { store, page, stored } = setUp();
    store.save(ID_1);
    page.dispatchEvent(new Event('beforeunload'));
    // Handed to the page being left (a sync finishing during the reload): the next load replays it.
    store.save(ID_2);
    expect(stored()).toEqual([ID_2]);
    page.dispatchEvent(new Event('pagehide'));
    expect(stored()).toEqual([ID_1]);
    store.save(ID_3);
    expect(stored()).toEqual([ID_1]);
    // Restored from the back/forward cache: it saves again.
    page.dispatchEvent(new Event('pageshow'));
    store.save(ID_3);
    expect(stored()).toEqual([ID_3]);
  });

  it('keeps what was saved when the navigation was cancelled (no pagehide), and stops once unwatched', () => {
    const { store, page, stored } = setUp();
    store.save(ID_1);
    page.dispatchEvent(new Event('beforeunload'));
    store.save(ID_2);
    expect(stored()).toEqual([ID_2]);
    store.unwatch();
    page.dispatchEvent(new Event('pagehide'));
    store.save(ID_3);
    expect(stored()).toEqual([ID_3]);
  });

  it('goes back to the position read at the load when nothing was saved before the leave', () => {
    const storage = new MapStorage();
    const key = positionKey('wss://x/prod', alice) as string;
    storage.setItem(key, ID_1);
    const page = new EventTarget();
    const store = new PositionStore(storage, 'wss://x/prod');
    expect(store.select(alice).stored).toBe(ID_1);
    store.watchPage(page);
    page.dispatchEvent(new Event('beforeunload'));
    store.save(ID_2);
    page.dispatchEvent(new Event('pagehide'));
    expect(storage.getItem(key)).toBe(ID_1);
  });
});
