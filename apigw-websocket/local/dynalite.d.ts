// dynalite ships no type declarations; this is the part of its API the local stack uses.
declare module 'dynalite' {
  import type { Server } from 'node:http';
  interface DynaliteOptions {
    /** @default 500 */
    createTableMs?: number;
    /** @default 500 */
    deleteTableMs?: number;
    /** @default 500 */
    updateTableMs?: number;
    /** LevelDB directory; in memory when omitted. */
    path?: string;
  }
  function dynalite(options?: DynaliteOptions): Server;
  export = dynalite;
}
