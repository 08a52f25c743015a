import { getDb } from "#db/client";
import { labDatasets, labJobs } from "#db/schema";
import { eq } from "drizzle-orm";
import { DomainError } from "~/errors/domain-error";
import {
  cancelJob,
  claimNextJob,
  createJob,
  finishJob,
  getJob,
  jobEvents,
  readJob,
  recordEvent,
} from "~/lab/jobs.server";
import { recoverJobs } from "~/lab/runner.server";
import { jobEventStream } from "~/lab/stream.server";
import { RecipeSchema } from "~/lab/validation";
import { deleteDataset } from "~/lab/datasets.server";
import { makeUser, ORIGIN } from "../helpers";

async function admin() {
  const user = await makeUser("admin");
  return { id: user.id, role: user.role };
}

function dataset(status: "staged" | "accepted") {
  return getDb()
    .insert(labDatasets)
    .values({ name: `set ${status}`, status, images: 40, bytes: 1, report: {} as never })
    .returning()
    .get();
}

const recipe = (datasetId: string) =>
  RecipeSchema.parse({ datasetId, architecture: "narrow", epochs: "2", seed: "1", blockSize: "1" });

afterEach(() => {
  getDb().delete(labJobs).run();
});

describe("training jobs", () => {
  test("a job needs an accepted dataset and a sane recipe", async () => {
    const actor = await admin();
    expect(() => createJob(actor, recipe(dataset("staged").id))).toThrow(/Accept the dataset/);
    const bad = RecipeSchema.safeParse({
      datasetId: dataset("accepted").id,
      architecture: "huge",
      epochs: "0",
      seed: "1",
      blockSize: "1",
    });
    expect(bad.success).toBe(false);
    const job = createJob(actor, recipe(dataset("accepted").id));
    expect(job).toMatchObject({ status: "queued", epoch: 0 });
    expect(job.version).toMatch(/^lab-\d{8}-\d{4}-[0-9a-f]{6}$/);
    expect(job.recipe).toMatchObject({ architecture: "narrow", epochs: 2, augmentation: false });
    // The dataset a job still needs cannot be deleted from under it.
    expect(() => deleteDataset(actor, job.datasetId!)).toThrow(/cancel it first/);
    cancelJob(actor, job.id);
    deleteDataset(actor, job.datasetId!);
    expect(readJob(job.id)?.datasetId).toBeNull();
  });

  test("one job runs at a time; the next is claimed when it ends", async () => {
    const actor = await admin();
    const set = dataset("accepted");
    const first = createJob(actor, recipe(set.id));
    const second = createJob(actor, recipe(set.id));
    expect(claimNextJob("host:1")?.id).toBe(first.id);
    expect(claimNextJob("host:2")).toBeUndefined();
    finishJob(first.id, "succeeded");
    expect(claimNextJob("host:3")?.id).toBe(second.id);
    expect(readJob(first.id)?.status).toBe("succeeded");
  });

  test("a job whose process is gone goes back to the queue and keeps its epochs; a cancelled one ends", async () => {
    const actor = await admin();
    const set = dataset("accepted");
    const job = createJob(actor, recipe(set.id));
    claimNextJob("nohost:1");
    // A process on this host that no longer exists.
    const { hostname } = await import("node:os");
    getDb()
      .update(labJobs)
      .set({ runner: `${hostname()}:999999`, epoch: 1 })
      .where(eq(labJobs.id, job.id))
      .run();
    expect(recoverJobs()).toBe(1);
    expect(readJob(job.id)).toMatchObject({ status: "queued", epoch: 1, runner: null });

    claimNextJob("nohost:1");
    cancelJob(actor, job.id);
    expect(readJob(job.id)).toMatchObject({ status: "running", cancelRequested: true });
    getDb()
      .update(labJobs)
      .set({ runner: `${hostname()}:999999` })
      .where(eq(labJobs.id, job.id))
      .run();
    recoverJobs();
    expect(readJob(job.id)?.status).toBe("cancelled");
    expect(() => cancelJob(actor, job.id)).toThrow(/already ended/);
  });

  test("the event stream sends what was recorded after the last id, then ends with the job", async () => {
    const actor = await admin();
    const job = createJob(actor, recipe(dataset("accepted").id));
    claimNextJob("nohost:1");
    recordEvent(job.id, "batch", { epoch: 1, batch: 1, loss: 1.3 });
    recordEvent(job.id, "epoch", { epoch: 1, trainLoss: 1.2 });
    finishJob(job.id, "succeeded");
    const [claimed] = jobEvents(actor, job.id);
    const response = jobEventStream(
      actor,
      job.id,
      new Request(`${ORIGIN}/admin/models/jobs/${job.id}/events`, {
        headers: { "Last-Event-ID": String(claimed!.id) },
      }),
    );
    expect(response.headers.get("Content-Type")).toMatch(/^text\/event-stream/);
    expect(response.headers.get("Cache-Control")).toMatch(/no-transform/);
    const text = await response.text();
    expect(text).not.toMatch(/resumeAfterEpoch/);
    expect(text).toMatch(/event: batch\ndata: \{"epoch":1,"batch":1,"loss":1.3\}/);
    expect(text).toMatch(/event: epoch\n/);
    expect(text).toMatch(/event: status\ndata: \{"status":"succeeded"\}/);
    expect(text.trimEnd().endsWith("event: end\ndata: {}")).toBe(true);
  });

  test("patients and doctors cannot see or start jobs", async () => {
    const actor = await admin();
    const job = createJob(actor, recipe(dataset("accepted").id));
    const patient = await makeUser("patient");
    const who = { id: patient.id, role: patient.role };
    expect(() => getJob(who, job.id)).toThrow(DomainError);
    expect(() => createJob(who, recipe(dataset("accepted").id))).toThrow(
      expect.objectContaining({ kind: "not-found" }),
    );
    expect(() => jobEventStream(who, job.id, new Request(ORIGIN))).toThrow(
      expect.objectContaining({ kind: "not-found" }),
    );
  });
});
