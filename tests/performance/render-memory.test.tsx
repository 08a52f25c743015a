import v8 from "node:v8";
import vm from "node:vm";
import { streamHtml } from "~/entry.server";

// A leak check, not a timing test: it counts pending timers and live heap, so a slow or busy
// machine changes how long it takes, not whether it passes.
v8.setFlagsFromString("--expose-gc");
const collectGarbage = vm.runInNewContext("gc") as () => void;

const pendingTimers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;

function Page({ rows }: { rows: string[] }) {
  return (
    <html lang="en">
      <body>
        <ul>
          {rows.map((row) => (
            <li key={row}>{row}</li>
          ))}
        </ul>
      </body>
    </html>
  );
}

/** One page of ~2,000 list items, each render with its own data (as loader data would be). */
async function renderPage(n: number): Promise<number> {
  const rows = Array.from({ length: 2_000 }, (_, i) => `doctor ${n}-${i} · 4.7 ★ · 12 km`);
  const response = await streamHtml(<Page rows={rows} />, {
    nonce: "test-nonce",
    waitForAll: false,
    status: 200,
    headers: new Headers(),
  });
  return (await response.text()).length;
}

test("a burst of page renders leaves no abort timer pending and the heap back near its start", async () => {
  await renderPage(-1); // warm up React and the stream classes
  collectGarbage();
  const timersBefore = pendingTimers();
  const heapBefore = process.memoryUsage().heapUsed;

  let bytes = 0;
  for (let round = 0; round < 25; round++) {
    const sizes = await Promise.all(Array.from({ length: 8 }, (_, i) => renderPage(round * 8 + i)));
    bytes += sizes.reduce((a, b) => a + b, 0);
  }
  expect(bytes).toBeGreaterThan(200 * 50_000); // 200 real pages were streamed

  // Every render's abort timer is gone once its body has been read.
  expect(pendingTimers()).toBeLessThanOrEqual(timersBefore);
  collectGarbage();
  const grownMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  expect(grownMb).toBeLessThan(10);
});
