import { resolvePlace, searchPlaces } from "~/geo/gazetteer.server";
import { normalisePlace } from "~/geo/place-names";

describe("the offline gazetteer", () => {
  test("normalises accents, case and punctuation", () => {
    expect(normalisePlace("  São-Paulo ")).toBe("sao paulo");
    expect(normalisePlace("REYKJAVÍK")).toBe("reykjavik");
  });

  test("finds cities by prefix, largest first, with or without accents", () => {
    const names = searchPlaces("lond").map((p) => `${p.name}, ${p.country}`);
    expect(names[0]).toBe("London, GB");
    expect(searchPlaces("sao paulo")[0]).toMatchObject({ name: "São Paulo", country: "BR" });
    expect(searchPlaces("z", 5)).toEqual([]); // too short to search
  });

  test("an exact name beats a longer, larger match; a country code narrows it", () => {
    expect(resolvePlace("Paris")).toMatchObject({ name: "Paris", country: "FR" });
    expect(resolvePlace("Paris, US")).toMatchObject({ name: "Paris", country: "US" });
    const lyon = resolvePlace("lyon, fr")!;
    expect(lyon.lat).toBeCloseTo(45.75, 1);
    expect(lyon.lng).toBeCloseTo(4.85, 1);
  });

  test("an unknown place resolves to nothing", () => {
    expect(resolvePlace("Qwxzzyville")).toBeUndefined();
  });
});
