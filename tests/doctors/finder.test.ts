import { findDoctors, parseFinderQuery } from "~/doctors/finder.server";
import { makeCertifiedDoctor } from "../helpers";

const query = (params: Record<string, string>) => parseFinderQuery(new URLSearchParams(params));

describe("the finder never ends in an empty page", () => {
  test("nobody within the widest radius: the nearest doctors anywhere, then remote ones", async () => {
    const paris = await makeCertifiedDoctor({
      lat: 48.85,
      lng: 2.35,
      offersTeleconsultation: false,
    });
    const tokyo = await makeCertifiedDoctor({
      lat: 35.68,
      lng: 139.69,
      offersTeleconsultation: true,
    });
    // Reykjavík: Paris is ~2,200 km away, Tokyo ~8,800 km.
    const result = await findDoctors(query({ lat: "64.15", lng: "-21.94", radius: "25" }));
    expect(result.doctors).toEqual([]);
    expect(result.radiusKm).toBe(250);
    expect(result.fallback!.nearest.map((d) => d.id)).toEqual([paris.profile.id]);
    expect(result.fallback!.remote.map((d) => d.id)).toEqual([tokyo.profile.id]);
  });

  test("someone within the radius: no fallback", async () => {
    const near = await makeCertifiedDoctor({ lat: 45.76, lng: 4.84 });
    const result = await findDoctors(query({ lat: "45.75", lng: "4.85", radius: "10" }));
    expect(result.doctors.map((d) => d.id)).toContain(near.profile.id);
    expect(result.fallback).toBeNull();
  });

  test("sorted nearest or best rated; more pages when more doctors match", async () => {
    // 25 doctors around Lyon, farther ones better rated.
    for (let i = 0; i < 25; i++)
      await makeCertifiedDoctor({
        lat: 45.76 + i * 0.01,
        lng: 4.84,
        ratingCount: 5,
        ratingSum: 5 * (1 + (i % 5)),
      });
    const nearest = await findDoctors(
      query({ lat: "45.76", lng: "4.84", radius: "50", sort: "nearest" }),
    );
    const km = nearest.doctors.map((d) => d.distanceKm);
    expect(km).toEqual([...km].sort((a, b) => a - b));
    const rated = await findDoctors(
      query({ lat: "45.76", lng: "4.84", radius: "50", sort: "rating" }),
    );
    const bayes = rated.doctors.map((d) => d.bayesian);
    expect(bayes).toEqual([...bayes].sort((a, b) => b - a));
    expect(nearest.doctors).toHaveLength(20);
    expect(nearest.more).toBe(true);
    const two = await findDoctors(query({ lat: "45.76", lng: "4.84", radius: "50", pages: "2" }));
    expect(two.doctors.length).toBeGreaterThanOrEqual(25);
    expect(two.more).toBe(false);
    expect(() => parseFinderQuery(new URLSearchParams({ sort: "price" }))).toThrow(
      "Sort by best match, distance, rating or reply time.",
    );
  });
});

describe("a postcode several countries use", () => {
  test("the searcher's country picks it, else the finder asks which", async () => {
    const paris = await findDoctors(query({ place: "75001", region: "FR" }));
    expect(paris.origin?.label).toBe("75001 Paris, FR");
    expect(paris.otherPlaces.map((p) => p.country)).toEqual(["US"]);
    const open = await findDoctors(query({ place: "75001" }));
    expect(open.origin).toBeNull();
    expect(open.placeNotFound).toBe(false);
    expect(open.otherPlaces.map((p) => `${p.name}, ${p.country}`)).toEqual([
      "75001 Paris, FR",
      "75001 Addison, US",
    ]);
    // What a choice links to resolves to that one place.
    const chosen = await findDoctors(query({ place: "75001 Addison, US" }));
    expect(chosen.origin?.label).toBe("75001 Addison, US");
    expect(chosen.otherPlaces).toEqual([]);
    expect(() => query({ place: "75001", region: "France" })).toThrow(
      "The region must be a two-letter country code.",
    );
  });
});

describe("postcodes of countries known by their postal regions (decision 074)", () => {
  // A typical code of each country, as a patient there types it, and its region's city.
  const CODES: [country: string, code: string, city: string][] = [
    ["DE", "10115", "Berlin"],
    ["GB", "SW1A 1AA", "London"],
    ["ES", "28013", "Madrid"],
    ["NL", "1012 JS", "Amsterdam"],
    ["BE", "1000", "Brussels"],
    ["CH", "8001", "Zürich"],
    ["AT", "1010", "Vienna"],
    ["BR", "01310-100", "São Paulo"],
    ["JP", "100-0001", "Tokyo"],
  ];

  test.each(CODES)(
    "%s: “%s” from that country's browser, or with its country code, searches near its region's city, said to be approximate",
    async (country, code, city) => {
      const searches: Record<string, string>[] = [
        { place: code, region: country },
        { place: `${code}, ${country}` },
      ];
      for (const params of searches) {
        const result = await findDoctors(query(params));
        expect(result.origin?.label).toBe(`${code} — approximate: ${city} area, ${country}`);
        expect(result.postcodeCountry).toBeNull();
        expect(result.placeNotFound).toBe(false);
      }
    },
  );

  test("an Italian CAP is placed exactly, at its comune; one no comune has is not found", async () => {
    const searches: Record<string, string>[] = [
      { place: "00184", region: "IT" },
      { place: "00184, IT" },
    ];
    for (const params of searches) {
      const result = await findDoctors(query(params));
      expect(result.origin?.label).toBe("00184 Roma, IT");
      expect(result.postcodeCountry).toBeNull();
    }
    const unknown = await findDoctors(query({ place: "00999", region: "IT" }));
    expect(unknown.origin).toBeNull();
    expect(unknown.placeNotFound).toBe(true);
    expect(unknown.postcodeCountry).toBeNull();
  });

  test("a code of such a country in no region of the table: the finder says it cannot place it", async () => {
    const result = await findDoctors(query({ place: "02999", region: "DE" }));
    expect(result.origin).toBeNull();
    expect(result.postcodeCountry).toBe("DE");
  });

  test("a German browser's “10115” is Berlin's area; New York's ZIP stays on offer", async () => {
    const german = await findDoctors(query({ place: "10115", region: "DE" }));
    expect(german.origin?.label).toBe("10115 — approximate: Berlin area, DE");
    expect(german.otherPlaces.map((p) => p.country)).toEqual(["US"]);
    // With a country that has the code, it is placed as before.
    const american = await findDoctors(query({ place: "10115", region: "US" }));
    expect(american.origin?.label).toMatch(/, US$/);
    expect(american.postcodeCountry).toBeNull();
    // A town typed with the code is a search for the town's code, not a region's.
    expect(
      (await findDoctors(query({ place: "75001 Paris", region: "DE" }))).origin?.label,
    ).toMatch(/Paris, FR$/);
  });
});
