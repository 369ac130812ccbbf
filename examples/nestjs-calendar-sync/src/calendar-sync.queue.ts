/** The BullMQ queue web containers add calendar syncs to and the worker takes them from. */
export const CALENDAR_SYNC_QUEUE = 'calendar-sync';

export interface CalendarSyncJob {
  userId: string;
  /** The web container that took the request. */
  acceptedBy: string;
}
