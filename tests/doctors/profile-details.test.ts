import { eq } from "drizzle-orm";
import { getDb } from "#db/client";
import { doctorProfiles } from "#db/schema";
import { formatFee } from "~/doctors/fees";
import { getListedDoctor } from "~/doctors/public.server";
import { action as profileAction } from "~/routes/doctor.profile";
import { feeSummary, initials } from "~/components/doctor-details";
import { practiceLabel, yearsInPractice, yearsSummary } from "~/doctors/profile-details";
import { formRequest, makeCertifiedDoctor, sessionCookieFor } from "../helpers";

type Reply = { error?: Record<string, string[] | null> };

const PROFILE = {
  intent: "save",
  title: "Dr",
  licenceNumber: "FR-10023",
  licenceAuthority: "Ordre des médecins",
  boardCertifications: "Hématologie (2009)",
  specialties: "hematology",
  languages: "French",
  clinicName: "Clinique du Parc",
  streetAddress: "1 rue de la Paix",
  city: "Paris",
  country: "FR",
  lat: "48.85",
  lng: "2.35",
};

async function save(fields: Record<string, string>) {
  const doctor = await makeCertifiedDoctor({
    title: "Dr",
    licenceNumber: PROFILE.licenceNumber,
    licenceAuthority: PROFILE.licenceAuthority,
    boardCertifications: [PROFILE.boardCertifications],
    clinicName: PROFILE.clinicName,
  });
  const request = formRequest(
    "/doctor/profile",
    { ...PROFILE, ...fields },
    { Cookie: await sessionCookieFor(doctor.user.id) },
  );
  const result = (await profileAction({ request, params: {}, context: {} })) as unknown;
  const status = (result as { init?: { status?: number } }).init?.status ?? 200;
  const row = (
    await getDb()
      .select()
      .from(doctorProfiles)
      .where(eq(doctorProfiles.id, doctor.profile.id))
      .limit(1)
  )[0]!;
  return { status, result, row, doctor };
}

/** A save with these fields is a 400 naming `field` with `message`, and saves nothing. */
async function refused(fields: Record<string, string>, field: string, message: string) {
  const { status, result, row } = await save({ ...fields, education: "Not saved" });
  expect(status).toBe(400);
  expect((result as { data: Reply }).data.error?.[field]).toEqual([message]);
  expect(row.education).toEqual([]);
  return row;
}

describe("a doctor states education and fees", () => {
  test("education lines and both fees are saved, shown publicly, and need no new verification", async () => {
    const { status, row, doctor } = await save({
      education: "MD, Université Paris Cité, 2004\n\nResidency in hematology, AP-HP, 2009",
      inPersonFee: "paid",
      inPersonAmount: "80",
      inPersonCurrency: "eur",
      teleconsultationFee: "free",
    });
    expect(status).toBe(200);
    expect(row.status).toBe("verified");
    expect(row.education).toEqual([
      "MD, Université Paris Cité, 2004",
      "Residency in hematology, AP-HP, 2009",
    ]);
    expect(row.inPersonFee).toEqual({ kind: "paid", amountMinor: 8000, currency: "EUR" });
    expect(row.teleconsultationFee).toEqual({ kind: "free" });
    const listed = await getListedDoctor(doctor.profile.id);
    expect(feeSummary(listed)).toBe("In person €80 · Teleconsultation free");
  });

  test("a paid fee without amount or currency, a bad currency or too many decimals is a 400 and saves nothing", async () => {
    for (const [fields, field, message] of [
      [{ inPersonFee: "paid", inPersonCurrency: "EUR" }, "inPersonAmount", "Enter the fee"],
      [{ inPersonFee: "paid", inPersonAmount: "80" }, "inPersonCurrency", "Enter the currency"],
      [
        {
          teleconsultationFee: "paid",
          teleconsultationAmount: "50",
          teleconsultationCurrency: "EURO",
        },
        "teleconsultationCurrency",
        "Use a three-letter currency code, e.g. EUR, USD, INR",
      ],
      [
        { inPersonFee: "paid", inPersonAmount: "5000.5", inPersonCurrency: "JPY" },
        "inPersonAmount",
        "JPY amounts have at most 0 decimals",
      ],
      [
        { inPersonFee: "paid", inPersonAmount: "-3", inPersonCurrency: "USD" },
        "inPersonAmount",
        "A fee cannot be negative",
      ],
    ] as const) {
      const row = await refused(fields, field, message);
      expect(row.inPersonFee).toBeNull();
    }
  });

  test("fees read in the currency's own units; initials skip the title", () => {
    expect(formatFee({ kind: "paid", amountMinor: 4950, currency: "EUR" })).toBe("€49.50");
    expect(formatFee({ kind: "paid", amountMinor: 5000, currency: "JPY" })).toBe("¥5,000");
    expect(formatFee({ kind: "paid", amountMinor: 150000, currency: "INR" })).toBe("₹1,500");
    expect(initials("Dr Amira Haddad")).toBe("AH");
    expect(initials("Prof. Élodie de la Fontaine")).toBe("ÉF");
    expect(initials("Wei")).toBe("W");
  });
});

describe("a doctor states the year of board certification and since when they practise", () => {
  const thisYear = new Date().getFullYear();

  test("both years are saved and shown; the start year is kept, the years in practice are counted", async () => {
    const { status, row } = await save({
      boardCertificationYear: "2009",
      practiceStartYear: String(thisYear - 18),
    });
    expect(status).toBe(200);
    expect(row.boardCertificationYear).toBe(2009);
    expect(row.practiceStartYear).toBe(thisYear - 18);
    // A new year of certification is a new credential: the admin checks it again.
    expect(row.status).toBe("pending");
    // The row as saved (read back from the database by `save`).
    expect(yearsSummary(row)).toBe("Board-certified 2009 · 18 years in practice");
  });

  test("changing only the start of practice keeps the profile certified", async () => {
    const { status, row, doctor } = await save({ practiceStartYear: "2011" });
    expect(status).toBe(200);
    expect(row.status).toBe("verified");
    expect((await getListedDoctor(doctor.profile.id)).practiceStartYear).toBe(2011);
  });

  test("a future year, one before 1950, or a year that is not a whole number is a 400 and saves nothing", async () => {
    for (const [fields, field, message] of [
      [
        { boardCertificationYear: String(thisYear + 1) },
        "boardCertificationYear",
        "The board-certification year cannot be in the future",
      ],
      [
        { practiceStartYear: String(thisYear + 3) },
        "practiceStartYear",
        "The start year of practice cannot be in the future",
      ],
      [
        { practiceStartYear: "1949" },
        "practiceStartYear",
        "Enter a start year of practice from 1950 on",
      ],
      [
        { boardCertificationYear: "09" },
        "boardCertificationYear",
        "Enter a board-certification year from 1950 on",
      ],
      [
        { boardCertificationYear: "2009.5" },
        "boardCertificationYear",
        "Enter the board-certification year as four digits, e.g. 2009",
      ],
      [
        { practiceStartYear: "since 2004" },
        "practiceStartYear",
        "Enter the start year of practice as four digits, e.g. 2009",
      ],
    ] as const) {
      const row = await refused(fields, field, message);
      expect(row.boardCertificationYear).toBeNull();
      expect(row.practiceStartYear).toBeNull();
    }
  });

  test("years in practice follow the calendar, from the first year on", () => {
    const at = (iso: string) => new Date(iso);
    expect(yearsInPractice(2008, at("2026-12-01T12:00:00Z"))).toBe(18);
    expect(yearsInPractice(2008, at("2027-06-01T12:00:00Z"))).toBe(19);
    expect(yearsInPractice(null)).toBeNull();
    expect(practiceLabel(2026, at("2026-12-01T12:00:00Z"))).toBe("In practice since 2026");
    expect(practiceLabel(2025, at("2026-12-01T12:00:00Z"))).toBe("1 year in practice");
    expect(yearsSummary({ boardCertificationYear: null, practiceStartYear: null })).toBe("");
    expect(yearsSummary({ boardCertificationYear: 2015, practiceStartYear: null })).toBe(
      "Board-certified 2015",
    );
  });
});
