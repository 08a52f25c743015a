/**
 * A job's events as a `text/event-stream`: what was recorded after the client's last event id
 * (`Last-Event-ID` when the browser reconnects, or `?after=`), then new ones as the job process
 * records them (read every half second on the server; the browser is pushed, never polls). The
 * stream ends when the job has ended, and after a few minutes (the browser reconnects).
 */
import type { Actor } from "~/auth/permissions";
import { getJob, jobEvents } from "./jobs.server";
import { isFinished } from "./vocabulary";

const TICK_MS = 500;
const MAX_OPEN_MS = 5 * 60 * 1000;

export async function jobEventStream(
  actor: Actor,
  id: string,
  request: Request,
): Promise<Response> {
  await getJob(actor, id);
  const url = new URL(request.url);
  let last =
    Number(request.headers.get("Last-Event-ID") ?? url.searchParams.get("after") ?? 0) || 0;
  const encoder = new TextEncoder();
  let timer: NodeJS.Timeout | undefined;
  const opened = Date.now();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      const close = () => {
        clearInterval(timer);
        try {
          controller.close();
        } catch {
          // Already closed by the client going away.
        }
      };
      const tick = async () => {
        try {
          for (const event of await jobEvents(actor, id, last)) {
            controller.enqueue(
              encoder.encode(
                `id: ${event.id}\nevent: ${event.kind}\ndata: ${JSON.stringify(event.data)}\n\n`,
              ),
            );
            last = event.id;
          }
          if (isFinished((await getJob(actor, id)).status)) {
            controller.enqueue(encoder.encode("event: end\ndata: {}\n\n"));
            close();
          } else if (Date.now() - opened > MAX_OPEN_MS) {
            close();
          }
        } catch {
          close();
        }
      };
      controller.enqueue(encoder.encode("retry: 2000\n\n"));
      await tick();
      timer = setInterval(() => void tick(), TICK_MS);
      request.signal.addEventListener("abort", close);
    },
    cancel() {
      clearInterval(timer);
    },
  });
  return new Response(body, {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      // no-transform: the compression middleware leaves the stream alone (it would buffer it).
      "Cache-Control": "private, no-store, no-transform",
      "X-Accel-Buffering": "no",
    },
  });
}
