import { eq } from "drizzle-orm";
import { getDb } from "#db/client";
import { doctorProfiles } from "#db/schema";
import { formatFee } from "~/doctors/fees";
import { getListedDoctor } from "~/doctors/public.server";
import { action as profileAction } from "~/routes/doctor.profile";
import { feeSummary, initials } from "~/components/doctor-details";
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
      const { status, result, row } = await save({ ...fields, education: "Not saved" });
      expect(status).toBe(400);
      expect((result as { data: Reply }).data.error?.[field]).toEqual([message]);
      expect(row.education).toEqual([]);
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
