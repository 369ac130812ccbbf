/** The only room a socket is ever in (besides its own id). Joined server-side from the verified token. */
export function userRoom(userId: string): string {
  return `user:${userId}`;
}
