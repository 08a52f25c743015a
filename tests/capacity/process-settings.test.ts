import { missingMemorySettings } from "~/capacity/process-settings.server";

describe("missingMemorySettings", () => {
  it("is empty when Node has the flag and the environment the arena limit", () => {
    expect(
      missingMemorySettings({ MALLOC_ARENA_MAX: "2" }, ["--max-semi-space-size=4", "--expose-gc"]),
    ).toEqual([]);
  });

  it("accepts the flag from NODE_OPTIONS and any arena limit a deployment chose", () => {
    expect(
      missingMemorySettings(
        { MALLOC_ARENA_MAX: "4", NODE_OPTIONS: "--enable-source-maps --max-semi-space-size=8" },
        [],
      ),
    ).toEqual([]);
  });

  it("names each setting left out", () => {
    expect(missingMemorySettings({}, [])).toEqual([
      "node --max-semi-space-size=4 (docs/decisions/041)",
      "MALLOC_ARENA_MAX=2 in the environment (docs/decisions/079)",
    ]);
    expect(missingMemorySettings({ MALLOC_ARENA_MAX: " " }, ["--max-old-space-size=512"])).toEqual([
      "node --max-semi-space-size=4 (docs/decisions/041)",
      "MALLOC_ARENA_MAX=2 in the environment (docs/decisions/079)",
    ]);
  });
});
