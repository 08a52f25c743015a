import crypto from "node:crypto";
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
  jobDatasets,
  jobEvents,
  readJob,
  readJobDatasets,
  recordEvent,
} from "~/lab/jobs.server";
import { recoverJobs } from "~/lab/runner.server";
import { jobEventStream } from "~/lab/stream.server";
import { RecipeSchema } from "~/lab/validation";
import { deleteDataset } from "~/lab/datasets.server";
import { makeUser, ORIGIN } from "../helpers";
import { inTransaction } from "~/data/unit-of-work.server";

async function admin() {
  const user = await makeUser("admin");
  return { id: user.id, role: user.role };
}

async function dataset(status: "staged" | "accepted") {
  return (
    await inTransaction(({ tx }) =>
      tx
        .insert(labDatasets)
        .values({ name: `set ${status}`, status, images: 40, bytes: 1, report: {} as never })
        .returning(),
    )
  )[0];
}

/** A form's recipe: one ticked dataset arrives as a single value, several as a list. */
const recipe = (...datasetIds: string[]) =>
  RecipeSchema.parse({
    datasetIds: datasetIds.length === 1 ? datasetIds[0] : datasetIds,
    architecture: "narrow",
    epochs: "2",
    seed: "1",
    blockSize: "1",
  });

afterEach(async () => {
  await inTransaction(({ tx }) => tx.delete(labJobs));
});

describe("training jobs", () => {
  test("a job needs an accepted dataset and a sane recipe", async () => {
    const actor = await admin();
    const staged = (await dataset("staged")).id;
    await expect(createJob(actor, recipe(staged))).rejects.toThrow(
      /Accept set staged after reading its report/,
    );
    const bad = RecipeSchema.safeParse({
      datasetIds: (await dataset("accepted")).id,
      architecture: "huge",
      epochs: "0",
      seed: "1",
      blockSize: "1",
    });
    expect(bad.success).toBe(false);
    const job = await createJob(actor, recipe((await dataset("accepted")).id));
    expect(job).toMatchObject({ status: "queued", epoch: 0 });
    expect(job.version).toMatch(/^lab-\d{8}-\d{4}-[0-9a-f]{6}$/);
    expect(job.recipe).toMatchObject({ architecture: "narrow", epochs: 2, augmentation: false });
    // The dataset a job still needs cannot be deleted from under it.
    await expect(deleteDataset(actor, job.datasetId!)).rejects.toThrow(/cancel it first/);
    await cancelJob(actor, job.id);
    await deleteDataset(actor, job.datasetId!);
    expect((await readJob(job.id))?.datasetId).toBeNull();
    // The job keeps the name of the dataset it trained on.
    expect(await readJobDatasets(job.id)).toEqual([{ id: null, name: "set accepted" }]);
  });

  test("a job trains on several datasets, listed in the order chosen; none may be missing, unaccepted or held by a running job", async () => {
    const actor = await admin();
    const first = await dataset("accepted");
    const second = await dataset("accepted");
    const staged = await dataset("staged");
    expect(
      RecipeSchema.safeParse({ ...recipe(first.id), datasetIds: [] }).error?.issues[0]?.message,
    ).toBe("Choose one or more datasets");
    expect(
      RecipeSchema.safeParse({ ...recipe(first.id), datasetIds: ["not-an-id"] }).error?.issues[0]
        ?.message,
    ).toBe("Choose one or more datasets");
    const eleven = Array.from({ length: 11 }, () => crypto.randomUUID());
    expect(
      RecipeSchema.safeParse({ ...recipe(first.id), datasetIds: eleven }).error?.issues[0]?.message,
    ).toBe("Choose at most 10 datasets");
    const jobsBefore = (await getDb().select().from(labJobs)).length;
    await expect(createJob(actor, recipe(first.id, crypto.randomUUID()))).rejects.toThrow(
      "Choose one or more datasets",
    );
    await expect(createJob(actor, recipe(first.id, staged.id))).rejects.toThrow(
      /Accept set staged after reading its report/,
    );
    // A refused job leaves nothing: no job row, no dataset rows.
    expect((await getDb().select().from(labJobs)).length).toBe(jobsBefore);

    const job = await createJob(actor, recipe(second.id, first.id, second.id));
    expect(await jobDatasets(actor, job.id)).toEqual([
      { id: second.id, name: second.name },
      { id: first.id, name: first.name },
    ]);
    expect(job.datasetName).toBe(`${second.name} + ${first.name}`);
    // Either dataset is held while the job may still run.
    await expect(deleteDataset(actor, first.id)).rejects.toThrow(/cancel it first/);
    await expect(deleteDataset(actor, second.id)).rejects.toThrow(/cancel it first/);
    await cancelJob(actor, job.id);
    await deleteDataset(actor, first.id);
    expect(await readJobDatasets(job.id)).toEqual([
      { id: second.id, name: second.name },
      { id: null, name: first.name },
    ]);
    const patient = await makeUser("patient");
    await expect(jobDatasets({ id: patient.id, role: patient.role }, job.id)).rejects.toThrow(
      expect.objectContaining({ kind: "not-found" }),
    );
  });

  test("one job runs at a time; the next is claimed when it ends", async () => {
    const actor = await admin();
    const set = await dataset("accepted");
    const first = await createJob(actor, recipe(set.id));
    const second = await createJob(actor, recipe(set.id));
    expect((await claimNextJob("host:1"))?.id).toBe(first.id);
    expect(await claimNextJob("host:2")).toBeUndefined();
    await finishJob(first.id, "succeeded");
    expect((await claimNextJob("host:3"))?.id).toBe(second.id);
    expect((await readJob(first.id))?.status).toBe("succeeded");
  });

  test("a job whose process is gone goes back to the queue and keeps its epochs; a cancelled one ends", async () => {
    const actor = await admin();
    const set = await dataset("accepted");
    const job = await createJob(actor, recipe(set.id));
    await claimNextJob("nohost:1");
    // A process on this host that no longer exists.
    const { hostname } = await import("node:os");
    await inTransaction(({ tx }) =>
      tx
        .update(labJobs)
        .set({ runner: `${hostname()}:999999`, epoch: 1 })
        .where(eq(labJobs.id, job.id)),
    );
    expect(await recoverJobs()).toBe(1);
    expect(await readJob(job.id)).toMatchObject({ status: "queued", epoch: 1, runner: null });

    await claimNextJob("nohost:1");
    await cancelJob(actor, job.id);
    expect(await readJob(job.id)).toMatchObject({ status: "running", cancelRequested: true });
    await inTransaction(({ tx }) =>
      tx
        .update(labJobs)
        .set({ runner: `${hostname()}:999999` })
        .where(eq(labJobs.id, job.id)),
    );
    await recoverJobs();
    expect((await readJob(job.id))?.status).toBe("cancelled");
    await expect(cancelJob(actor, job.id)).rejects.toThrow(/already ended/);
  });

  test("the event stream sends what was recorded after the last id, then ends with the job", async () => {
    const actor = await admin();
    const job = await createJob(actor, recipe((await dataset("accepted")).id));
    await claimNextJob("nohost:1");
    await recordEvent(job.id, "batch", { epoch: 1, batch: 1, loss: 1.3 });
    await recordEvent(job.id, "epoch", { epoch: 1, trainLoss: 1.2 });
    await finishJob(job.id, "succeeded");
    const [claimed] = await jobEvents(actor, job.id);
    const response = await jobEventStream(
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
    // jsonb (Postgres) keeps an object's keys in its own order: compare the parsed data.
    const batch = /event: batch\ndata: (.*)\n/.exec(text);
    expect(JSON.parse(batch![1]!)).toEqual({ epoch: 1, batch: 1, loss: 1.3 });
    expect(text).toMatch(/event: epoch\n/);
    expect(text).toMatch(/event: status\ndata: \{"status":"succeeded"\}/);
    expect(text.trimEnd().endsWith("event: end\ndata: {}")).toBe(true);
  });

  test("patients and doctors cannot see or start jobs", async () => {
    const actor = await admin();
    const job = await createJob(actor, recipe((await dataset("accepted")).id));
    const patient = await makeUser("patient");
    const who = { id: patient.id, role: patient.role };
    await expect(getJob(who, job.id)).rejects.toThrow(DomainError);
    const accepted = (await dataset("accepted")).id;
    await expect(createJob(who, recipe(accepted))).rejects.toThrow(
      expect.objectContaining({ kind: "not-found" }),
    );
    await expect(jobEventStream(who, job.id, new Request(ORIGIN))).rejects.toThrow(
      expect.objectContaining({ kind: "not-found" }),
    );
  });
});
