import { approximatePlace, resolvePlace, resolvePlaceFor } from "~/geo/gazetteer.server";
import { distanceKm } from "~/geo/geo";
import {
  parsePostalRegion,
  POSTAL_REGION_COUNTRIES,
  postalRegion,
  postalRegionCities,
} from "~/geo/postal-regions";

/** Each country: codes as people there write them, and the main city of their region. */
const CASES: Record<string, [code: string, city: string][]> = {
  DE: [
    ["10115", "Berlin"],
    ["80331", "Munich"],
    ["20095", "Hamburg"],
    ["50667", "Köln"],
  ],
  GB: [
    ["SW1A 1AA", "London"],
    ["M1 1AE", "Manchester"],
    ["EH1 1YZ", "Edinburgh"],
    ["B1", "Birmingham"],
  ],
  ES: [
    ["28013", "Madrid"],
    ["08001", "Barcelona"],
    ["41001", "Sevilla"],
  ],
  NL: [
    ["1012 JS", "Amsterdam"],
    ["3011", "Rotterdam"],
    ["2511 CV", "The Hague"],
  ],
  BE: [
    ["1000", "Brussels"],
    ["2000", "Antwerpen"],
    ["9000", "Gent"],
  ],
  CH: [
    ["8001", "Zürich"],
    ["1204", "Genève"],
    ["3011", "Bern"],
  ],
  AT: [
    ["1010", "Vienna"],
    ["8010", "Graz"],
    ["5020", "Salzburg"],
  ],
  BR: [
    ["01310-100", "São Paulo"],
    ["20040-020", "Rio de Janeiro"],
    ["70040", "Brasília"],
  ],
  JP: [
    ["100-0001", "Tokyo"],
    ["530-0001", "Osaka"],
    ["060-0001", "Sapporo"],
  ],
};

describe("postcodes placed by their postal region (decision 074)", () => {
  test("every region's city is in the offline gazetteer, in its country", () => {
    for (const country of POSTAL_REGION_COUNTRIES) {
      const missing = postalRegionCities(country).filter(
        (city) => !approximatePlace({ country, code: "x", city }),
      );
      expect([country, missing]).toEqual([country, []]);
    }
  });

  test.each(Object.entries(CASES))(
    "%s: a code from that country's browser or with its country code is its region's city, approximately",
    (country, cases) => {
      for (const [code, city] of cases) {
        const centre = resolvePlace(`${city}, ${country}`)!;
        for (const [text, region] of [
          [code, country],
          [`${code}, ${country}`, undefined],
          [`${code}, ${country}`, "US"],
        ] as const) {
          const { place } = resolvePlaceFor(text, region);
          expect([text, region, place?.name]).toEqual([
            text,
            region,
            `${code} — approximate: ${city} area`,
          ]);
          expect(place!.country).toBe(country);
          expect(distanceKm(place!.lat, place!.lng, centre.lat, centre.lng)).toBeLessThan(1);
        }
      }
    },
  );

  test("codes that are not of the country, or of no region in the table, are left alone", () => {
    expect(postalRegion("DE", "1011")).toBeUndefined(); // four digits: not a German code
    expect(postalRegion("ES", "53001")).toBeUndefined(); // no province 53
    expect(postalRegion("GB", "10115")).toBeUndefined();
    expect(postalRegion("JP", "1000")).toBeUndefined();
    expect(postalRegion("GB", "ZZ1 1ZZ")).toBeUndefined(); // no such postcode area
    // A town typed with the code goes to the ordinary search.
    expect(parsePostalRegion("10115 Berlin", "DE")).toBeUndefined();
    // A browser elsewhere: the bare code is not read as German.
    expect(parsePostalRegion("10115", "US")).toBeUndefined();
    expect(parsePostalRegion("10115")).toBeUndefined();
    // "1234 AT" from a Dutch browser is Dutch; with a comma the country typed decides.
    expect(parsePostalRegion("1234 AT", "NL")).toMatchObject({ country: "NL" });
    expect(parsePostalRegion("1234, AT", "NL")).toMatchObject({ country: "AT" });
    expect(parsePostalRegion("1234 AT")).toMatchObject({ country: "AT" });
  });

  test("Italy's codes are not read by region: they are exact rows of the place table", () => {
    expect(parsePostalRegion("00184", "IT")).toBeUndefined();
    expect(parsePostalRegion("00184, IT")).toBeUndefined();
    expect(resolvePlaceFor("00184", "IT").place).toMatchObject({ name: "00184 Roma" });
  });

  test("another country's place with the same code stays on offer unless the country was typed", () => {
    const german = resolvePlaceFor("10115", "DE");
    expect(german.place?.name).toBe("10115 — approximate: Berlin area");
    expect(german.alternatives.map((p) => p.country)).toEqual(["US"]);
    expect(resolvePlaceFor("10115, DE").alternatives).toEqual([]);
    // The US browser still gets its ZIP.
    expect(resolvePlaceFor("10115", "US").place).toMatchObject({ country: "US" });
  });
});
