/** The app is wired in a way syncbell cannot run in; the message says what to change. Thrown at start-up. */
export class SyncbellSetupError extends Error {
  override readonly name = 'SyncbellSetupError';
}
