/**
 * The only room a socket is ever in (besides its own id). Joined server-side from the verified token.
 *
 * The user id is a Redis Cluster hash tag (`{userId}`, as in the user's log key): the sharded
 * adapter's channel for the room (`syncbell#/#user:{userId}#`) then hashes to the user's own slot,
 * so the publisher's script may SPUBLISH on it after writing the log. Redis refuses a script that
 * touches a channel of another node ("Script attempted to access a non local key in a cluster
 * node", measured on Redis 7.0 in test/ecs-socketio/cluster.test.ts), and a slot migration moves
 * the log and the channel together. User ids hold no braces (`USER_ID_PATTERN`), so the tag is the
 * whole id.
 */
export function userRoom(userId: string): string {
  return `user:{${userId}}`;
}
