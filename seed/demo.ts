import { count } from "drizzle-orm";
import type { Db } from "#db/client";
import { inTransaction } from "~/data/unit-of-work.server";
import { doctorProfiles, reviews, users } from "#db/schema";
import { minorDigits } from "~/doctors/fees";
import { enrolWithSecret } from "~/auth/second-factor.server";
import { SPECIALTY_IDS } from "~/doctors/specialties";
import { citiesAbove } from "~/geo/gazetteer.server";
import { seedDemoConsultations } from "./demo-consultations";
import { seededRandom } from "./random";

/** Every demo account lives on this domain, so demo data is easy to recognise and remove. */
export const DEMO_DOMAIN = "demo.hemalink.test";
/**
 * The demo logins. The admin and the certified doctor must use two-step login; they are seeded
 * with it set up, on these published authenticator keys (docs/decisions/031): add the key to an
 * app, or print the current codes with `npm run demo:codes`.
 */
export const DEMO_ACCOUNTS = {
  admin: {
    email: `admin@${DEMO_DOMAIN}`,
    password: "demo-admin-passphrase",
    totpSecret: "DEMOADMINHEMALINKTOTPKEYFORTESTS",
  },
  patient: { email: `patient@${DEMO_DOMAIN}`, password: "demo-patient-passphrase" },
  doctor: {
    email: `doctor@${DEMO_DOMAIN}`,
    password: "demo-doctor-passphrase",
    totpSecret: "DEMODOCTORHEMALINKTOTPKEYFORTEST",
  },
  pendingDoctor: { email: `pending.doctor@${DEMO_DOMAIN}`, password: "demo-doctor-passphrase" },
} as const;

const DOCTOR_COUNT = 300;
const REVIEWER_COUNT = 12;

const FIRST_NAMES = [
  "Amira",
  "Lukas",
  "Sofia",
  "Kenji",
  "Maya",
  "Omar",
  "Elena",
  "Tomás",
  "Priya",
  "Jonas",
  "Aisha",
  "Mateo",
  "Hana",
  "Ivan",
  "Chloé",
  "Farid",
  "Ingrid",
  "Kwame",
  "Leila",
  "Marco",
  "Nadia",
  "Pedro",
  "Rania",
  "Sven",
  "Yara",
  "Zhang",
  "Wei",
  "Fatima",
  "Arjun",
  "Ana",
];
const LAST_NAMES = [
  "Haddad",
  "Müller",
  "Rossi",
  "Tanaka",
  "Cohen",
  "Rahimi",
  "Novak",
  "García",
  "Sharma",
  "Berg",
  "Okafor",
  "Silva",
  "Kim",
  "Petrov",
  "Dubois",
  "Karimi",
  "Larsen",
  "Mensah",
  "Nasser",
  "Bianchi",
  "Moreau",
  "Santos",
  "Aziz",
  "Lindqvist",
  "Mansour",
  "Chen",
  "Li",
  "Hosseini",
  "Iyer",
  "Costa",
];
const LANGUAGES_BY_COUNTRY: Record<string, string[]> = {
  US: ["English", "Spanish"],
  GB: ["English"],
  CA: ["English", "French"],
  AU: ["English"],
  FR: ["French"],
  DE: ["German"],
  IT: ["Italian"],
  ES: ["Spanish"],
  MX: ["Spanish"],
  BR: ["Portuguese"],
  AR: ["Spanish"],
  IR: ["Persian"],
  TR: ["Turkish"],
  EG: ["Arabic"],
  SA: ["Arabic"],
  IN: ["Hindi"],
  PK: ["Urdu"],
  CN: ["Chinese"],
  JP: ["Japanese"],
  KR: ["Korean"],
  RU: ["Russian"],
  NG: ["English"],
  ZA: ["English"],
  ID: ["Indonesian"],
};
const REVIEW_TEXTS = [
  [1, "Hard to reach and the answer felt rushed."],
  [2, "Knowledgeable, but we waited a long time for a reply."],
  [3, "Correct advice, little explanation."],
  [4, "Clear explanation of the smear result and the next tests."],
  [4, "Kind and thorough; answered all our questions about our son."],
  [5, "Took the time to explain everything. We felt in good hands."],
  [5, "Fast, precise and reassuring. Highly recommended."],
] as const;

export async function isSeeded(db: Db): Promise<boolean> {
  return (await db.select({ n: count() }).from(users).limit(1))[0]!.n > 0;
}

/**
 * Demo data: one admin, patients, ~300 hematologists placed around real cities from the
 * offline gazetteer, mostly verified, with reviews. Deterministic (seeded), so the demo
 * looks the same on every machine. `passwordHash(password)` is computed once per password.
 */
export async function seedDemo(hash: (password: string) => Promise<string>) {
  const random = seededRandom(20261124);
  const hashes = {
    admin: await hash(DEMO_ACCOUNTS.admin.password),
    patient: await hash(DEMO_ACCOUNTS.patient.password),
    doctor: await hash(DEMO_ACCOUNTS.doctor.password),
  };
  const cities = citiesAbove(300_000).slice(0, 400);
  const now = Date.now();

  await inTransaction(async ({ tx }) => {
    const admin = (
      await tx
        .insert(users)
        .values({
          email: DEMO_ACCOUNTS.admin.email,
          passwordHash: hashes.admin,
          role: "admin",
          displayName: "Demo Admin",
        })
        .returning()
    )[0];
    await enrolWithSecret(admin.id, DEMO_ACCOUNTS.admin.totpSecret, tx);
    await tx.insert(users).values({
      email: DEMO_ACCOUNTS.patient.email,
      passwordHash: hashes.patient,
      role: "patient",
      displayName: "Demo Patient",
    });
    const reviewers: (typeof users.$inferSelect)[] = [];
    for (let i = 0; i < REVIEWER_COUNT; i++) {
      const [reviewer] = await tx
        .insert(users)
        .values({
          email: `reviewer${i + 1}@${DEMO_DOMAIN}`,
          passwordHash: hashes.patient,
          role: "patient",
          displayName: `Demo Reviewer ${i + 1}`,
        })
        .returning();
      reviewers.push(reviewer);
    }

    for (let i = 0; i < DOCTOR_COUNT; i++) {
      const first = random.pick(FIRST_NAMES);
      const last = random.pick(LAST_NAMES);
      const email =
        i === 0
          ? DEMO_ACCOUNTS.doctor.email
          : i === 1
            ? DEMO_ACCOUNTS.pendingDoctor.email
            : `doctor${i + 1}@${DEMO_DOMAIN}`;
      // Mostly large cities, a few at random among the 400 largest.
      const city = cities[Math.floor(random.next() ** 2 * cities.length)];
      // Clinics within ~8 km of the city centre.
      const lat = city.lat + (random.next() - 0.5) * 0.15;
      const lng = city.lng + ((random.next() - 0.5) * 0.15) / Math.cos((city.lat * Math.PI) / 180);
      const status =
        i === 1 ? "pending" : i === 0 ? "verified" : random.next() < 0.85 ? "verified" : "pending";
      const user = (
        await tx
          .insert(users)
          .values({
            email,
            passwordHash: hashes.doctor,
            role: "doctor",
            displayName: `${first} ${last}`,
          })
          .returning()
      )[0];
      if (i === 0) await enrolWithSecret(user.id, DEMO_ACCOUNTS.doctor.totpSecret, tx);
      const specialties = random.sample(SPECIALTY_IDS, 1 + Math.floor(random.next() * 2));
      const local = LANGUAGES_BY_COUNTRY[city.country] ?? [];
      const languages = [...new Set([...local, ...(random.next() < 0.6 ? ["English"] : [])])];
      const profile = (
        await tx
          .insert(doctorProfiles)
          .values({
            userId: user.id,
            status,
            title: "Dr",
            licenceNumber: `DEMO-${city.country}-${String(100000 + i)}`,
            licenceAuthority: `${city.country} medical council (demo)`,
            boardCertifications: ["Hematology board certification (demo)"],
            specialties,
            languages: languages.length > 0 ? languages : ["English"],
            clinicName: `${city.name} Blood Clinic ${i + 1} (demo)`,
            streetAddress: `${1 + Math.floor(random.next() * 200)} Demo Street`,
            city: city.name,
            country: city.country,
            lat,
            lng,
            // The demo doctor always offers teleconsultation, so the demo can share a case.
            offersTeleconsultation: random.next() < 0.6 || i === 0,
            // ... and accepts new patients (a doctor who does not receives no new cases).
            acceptsNewPatients: random.next() < 0.8 || i === 0,
            bio: "Demo profile: this hematologist does not exist.",
            ...demoDetails(i, city.name, city.country),
            isDemo: true,
            verifiedAt: status === "verified" ? new Date(now - 86_400_000) : null,
            verifiedBy: status === "verified" ? admin.id : null,
          })
          .returning()
      )[0];
      if (status !== "verified") continue;
      const reviewCount = Math.floor(random.next() * 6);
      for (const reviewer of random.sample(reviewers, reviewCount)) {
        const [rating, body] = random.pick(REVIEW_TEXTS);
        await tx
          .insert(reviews)
          .values({ doctorId: profile.id, authorId: reviewer.id, rating, body });
      }
    }
  });
  // Answered consultations give demo doctors real reply times.
  await seedDemoConsultations(hashes.patient, DEMO_DOMAIN);
}

/** Demo currencies of the countries with the most demo doctors (others state no fee). */
const DEMO_CURRENCIES: Record<string, string> = {
  AU: "AUD",
  BR: "BRL",
  CA: "CAD",
  CN: "CNY",
  DE: "EUR",
  ES: "EUR",
  FR: "EUR",
  GB: "GBP",
  IN: "INR",
  IT: "EUR",
  JP: "JPY",
  MX: "MXN",
  US: "USD",
};

/**
 * Education and fees of the i-th demo doctor, derived from `i` alone (the seed's random
 * sequence, and so every other demo value, stays as it was). Reply times are not invented:
 * they come from real consultations only.
 */
function demoDetails(i: number, city: string, country: string) {
  const graduated = 1990 + ((i * 7) % 25);
  const currency = DEMO_CURRENCIES[country];
  // Round amounts in the currency's own scale (JPY and INR amounts are larger numbers).
  const scale = { JPY: 100, INR: 100, CNY: 10, BRL: 5, MXN: 20 }[currency ?? ""] ?? 1;
  const minor = currency ? 10 ** minorDigits(currency) : 1;
  return {
    education: [
      `MD, ${city} School of Medicine (demo), ${graduated}`,
      `Residency in internal medicine (demo), ${graduated + 4}`,
      `Fellowship in hematology (demo), ${graduated + 6}`,
    ],
    inPersonFee: currency
      ? { kind: "paid" as const, amountMinor: (60 + (i % 7) * 10) * scale * minor, currency }
      : null,
    teleconsultationFee:
      i % 5 === 0
        ? { kind: "free" as const }
        : currency
          ? { kind: "paid" as const, amountMinor: (40 + (i % 5) * 5) * scale * minor, currency }
          : null,
  };
}
