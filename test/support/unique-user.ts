let userCounter = 0;
/** Fresh user ids per test so runs never see each other's logs. */
export function uniqueUser(prefix = 'user'): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${++userCounter}`;
}
