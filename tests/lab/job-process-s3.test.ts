import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { freshS3Bucket } from "../setup/test-servers";
import { jobFilesOnDisk, runJobsThroughTheStore } from "./job-process";

// The app, and the job processes it starts, configured for S3 (docs/decisions/078).
const bucket = await vi.hoisted(async () => {
  const { s3AppEnv } = await import("../setup/s3-env");
  const name = `lab-jobs-${globalThis.crypto.randomUUID().slice(0, 8)}`;
  Object.assign(process.env, s3AppEnv(name));
  return name;
});

test("with IMAGE_STORE=s3 a job process stores its checkpoint, candidate and comparison in the bucket, nothing on the instance's disk, and another job resumes from its checkpoint there", async () => {
  const { client } = await freshS3Bucket(bucket);
  const { job, next } = await runJobsThroughTheStore();
  const objects = (
    (await client.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []
  ).map((o) => o.Key!);
  for (const id of [job.id, next.id]) {
    expect(objects).toContain(`lab-jobs/${id}/checkpoint/1/checkpoint.json`);
    expect(objects).toContain(`lab-jobs/${id}/comparison.json`);
    expect(objects).toContain(`lab-jobs/${id}/candidate/model.json`);
  }
  expect(jobFilesOnDisk()).toEqual([]);
}, 240_000);
