import { crashBurst, isConsistent } from "../../scripts/lib/crash-burst";

describe("a server killed with kill -9 in the middle of uploads", () => {
  test("keeps every acknowledged upload with its files, and no file without its row", async () => {
    const report = await crashBurst({ uploads: 8, kills: 1 });
    const [round] = report.rounds;
    expect(round!.acknowledged).toBeGreaterThanOrEqual(1);
    // Checked after the restart (its start-up sweep), and again after the retries.
    for (const check of [round!.check, report.final]) {
      expect(check).toMatchObject({
        integrity: "ok",
        pendingUploads: 0,
        rowsWithoutFiles: 0,
        foldersWithoutRow: 0,
        debris: 0,
        lostAcknowledged: 0,
      });
      expect(isConsistent(check)).toBe(true);
    }
    // A retry under the same Idempotency-Key never made a second analysis.
    expect(report.duplicatedReplays).toBe(0);
    expect(report.final.rows).toBe(report.keys);
    expect(report.keys).toBe(8);
  }, 180_000);
});
