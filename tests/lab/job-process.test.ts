import { jobFilesOnDisk, runJobsThroughTheStore } from "./job-process";

test("on the file store a job process keeps its checkpoint, candidate and comparison under DATA_DIR/lab/jobs/<id>/, and another job resumes from its checkpoint there", async () => {
  const { job, next } = await runJobsThroughTheStore();
  const files = jobFilesOnDisk();
  for (const id of [job.id, next.id]) {
    expect(files).toContain(`${id}/checkpoint/checkpoint.json`);
    expect(files).toContain(`${id}/comparison.json`);
  }
  expect(files).toContain(`${job.id}/${job.version}/model.json`);
  expect(files).toContain(`${job.id}/${job.version}/weights.bin`);
}, 240_000);
