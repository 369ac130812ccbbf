import type { ReplayAnswer, Transport, TransportHandlers } from '../../../../shared/client/index.js';

interface Opened {
  token: string;
  handlers: TransportHandlers;
  resumes: (string | undefined)[];
  /** The `failures` each resume was asked with (the resume deadline grows with it). */
  failures: number[];
  closed: boolean;
}

/** A scripted transport: the collaborator here is not under test, the client's state machine is. */
export class FakeTransport implements Transport {
  readonly name = 'fake';
  opens: Opened[] = [];
  /**
   * Answers to the next resumes, in order; an Error rejects that resume, a promise answers when it
   * settles (a resume still in flight). Empty: an empty answer.
   */
  replies: (ReplayAnswer | Error | Promise<ReplayAnswer>)[] = [];
  open(options: { token: string }, handlers: TransportHandlers) {
    const record: Opened = { token: options.token, handlers, resumes: [], failures: [], closed: false };
    this.opens.push(record);
    return {
      resume: async (after: string | undefined, failures = 0) => {
        record.resumes.push(after);
        record.failures.push(failures);
        const reply = await (this.replies.shift() ?? { notifications: [], truncated: false });
        if (reply instanceof Error) throw reply;
        return reply;
      },
      close: () => {
        record.closed = true;
      },
    };
  }
  get last(): Opened {
    const last = this.opens.at(-1);
    if (!last) throw new Error('never opened');
    return last;
  }
}
