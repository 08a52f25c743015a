import type { Browser, Page } from "playwright-core";

/**
 * A fresh phone profile for the finder's first visit (`npm run bench:pages`,
 * scripts/profile-finder.ts): 390 × 844, touch, 4× slower CPU and DevTools' Fast 3G
 * (1.44 Mbit/s × 0.9 down, 675 kbit/s × 0.9 up, 562.5 ms latency a request).
 */
export async function phoneProfile(browser: Browser, baseURL: string) {
  const context = await browser.newContext({
    baseURL,
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
  });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: 562.5,
    downloadThroughput: (1.44e6 * 0.9) / 8,
    uploadThroughput: (675e3 * 0.9) / 8,
  });
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  return { context, page, cdp };
}

/**
 * Open `path` and wait for hydration (React's fiber on the page's search form), then for the
 * map: both as `performance.now()` in the page, ms from the navigation's start.
 */
export async function visitFinder(page: Page, path: string) {
  await page.goto(path, { waitUntil: "commit", timeout: 60_000 });
  await page.waitForFunction(
    () => {
      const form = document.querySelector("main form");
      return !!form && Object.keys(form).some((k) => k.startsWith("__reactFiber"));
    },
    undefined,
    { polling: 20, timeout: 60_000 },
  );
  const hydrated = await page.evaluate(() => performance.now());
  await page.locator(".leaflet-container").waitFor({ timeout: 60_000 });
  const mapShown = await page.evaluate(() => performance.now());
  return { hydrated, mapShown };
}
