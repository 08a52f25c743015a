/** The handler of one `@scheduled` function around one housekeeping job (docs/decisions/064). */
export type Job<R extends object = Record<string, unknown>> = (now?: Date) => Promise<R>;

/** An EventBridge scheduled event: its `time` is when the run was due. */
export type ScheduledEvent = { time?: string; "detail-type"?: string };

/**
 * Runs the job as of the event's time (now when it has none) and logs its counts as one JSON
 * line. A failed job throws: Lambda records the error and the next run tries again.
 */
export function scheduledHandler<R extends object>(job: string, run: Job<R>) {
  return async (event?: ScheduledEvent): Promise<{ job: string } & R> => {
    const due = event?.time ? new Date(event.time) : new Date();
    const report = { job, ...(await run(Number.isNaN(due.getTime()) ? new Date() : due)) };
    console.info(JSON.stringify(report));
    return report;
  };
}
