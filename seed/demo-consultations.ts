/**
 * Answered demo consultations, so demo doctors have real reply times: demo patients share
 * their analysis with several demo doctors, who accept and answer it, through the consultation services
 * a real case goes through. The steps happen now; the cases are then placed in the past
 * (request, acceptance and answer move back together, with the reply time each was given),
 * and the doctor's reply time is recomputed by the same function the answer uses.
 *
 * The demo doctor and the demo patient of the README are left out: their walk-through
 * starts with empty case lists.
 */
import { and, eq, inArray, ne } from "drizzle-orm";
import sharp from "sharp";
import { getDb } from "#db/client";
import { analyses, consultations, doctorProfiles, notifications, users } from "#db/schema";
import type { Actor } from "~/auth/permissions";
import { acceptRequest, answerConsultation, shareAnalysis } from "~/consultations/lifecycle.server";
import type { DoctorClass } from "~/consultations/vocabulary";
import { inTransaction } from "~/data/unit-of-work.server";
import { refreshReplyTime } from "~/doctors/reply-time.server";
import { setMailTransport } from "~/notifications/mail.server";
import type { ClassId } from "~/analyses/vocabulary";
import { getImageStore } from "~/uploads/storage.server";
import { newImageKey } from "~/uploads/image-store.server";
import { seededRandom } from "./random";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Doctors with answered demo cases, and demo patients who shared them. */
export const DEMO_REPLYING_DOCTORS = 24;
const DEMO_CASE_PATIENTS = 8;
const OLDEST_CASE_DAYS = 120;
/** A doctor's usual reply time; each case is answered within 0.5–1.6× of it. */
const TYPICAL_REPLY_HOURS = [1.5, 3, 5, 8, 14, 20, 30, 48, 72];

const CASES: { topClass: ClassId; doctorClass: DoctorClass; morphology: string; advice: string }[] =
  [
    {
      topClass: "benign",
      doctorClass: "benign",
      morphology:
        "Demo case. Normal red cell morphology; mature lymphocytes and neutrophils, no blasts seen.",
      advice:
        "Demo case. Nothing in this smear suggests leukaemia. Keep your routine check-ups with your GP.",
    },
    {
      topClass: "early_pre_b",
      doctorClass: "early_pre_b",
      morphology:
        "Demo case. Small blasts with scant cytoplasm and fine chromatin, consistent with the model.",
      advice:
        "Demo case. This needs a full blood count and a bone-marrow examination soon; please contact a haematology clinic this week.",
    },
    {
      topClass: "pre_b",
      doctorClass: "reactive_changes",
      morphology:
        "Demo case. Reactive lymphocytes with abundant cytoplasm; no convincing blast population.",
      advice:
        "Demo case. These look like changes after an infection. Repeat the blood count in four to six weeks.",
    },
  ];

/** One small picture for every demo analysis (demo data ships no patient image). */
async function demoImages() {
  const cells = Array.from({ length: 14 }, (_, i) => {
    const x = 40 + ((i * 97) % 440);
    const y = 40 + ((i * 61) % 300);
    return `<circle cx="${x}" cy="${y}" r="${i % 5 === 0 ? 26 : 18}" fill="${i % 5 === 0 ? "#6b4c9a" : "#d98b8b"}"/>`;
  });
  const svg = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="512" height="384"><rect width="512" height="384" fill="#f4dede"/>${cells.join("")}<text x="12" y="372" font-size="20" fill="#333">DEMO</text></svg>`,
  );
  const original = new Uint8Array(await sharp(svg).jpeg({ quality: 80 }).toBuffer());
  const thumbnail = new Uint8Array(await sharp(svg).resize(128).jpeg().toBuffer());
  const heatmap = new Uint8Array(
    await sharp({
      create: { width: 512, height: 384, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } },
    })
      .png()
      .toBuffer(),
  );
  return { original, thumbnail, heatmap };
}

export async function seedDemoConsultations(patientPasswordHash: string, domain: string) {
  const random = seededRandom(20261201);
  const doctors = (
    await getDb()
      .select({ id: doctorProfiles.id, userId: doctorProfiles.userId })
      .from(doctorProfiles)
      .innerJoin(users, eq(users.id, doctorProfiles.userId))
      .where(
        and(
          eq(doctorProfiles.status, "verified"),
          eq(doctorProfiles.offersTeleconsultation, true),
          eq(doctorProfiles.acceptsNewPatients, true),
          ne(users.email, `doctor@${domain}`),
        ),
      )
      .orderBy(doctorProfiles.geoId)
  )
    .filter((_, i) => i % 3 === 0)
    .slice(0, DEMO_REPLYING_DOCTORS);
  const now = Date.now();
  // Each demo patient has one analysis, which they shared with several hematologists.
  const images = await demoImages();
  const store = getImageStore();
  const cases: { patient: Actor; analysisId: string; kind: (typeof CASES)[number] }[] = [];
  for (let i = 0; i < DEMO_CASE_PATIENTS; i++) {
    const kind = CASES[i % CASES.length]!;
    const imageKey = newImageKey();
    await store.put(imageKey, "original", images.original);
    await store.put(imageKey, "thumbnail", images.thumbnail);
    await store.put(imageKey, "heatmap", images.heatmap);
    const { patientId, analysisId } = await inTransaction(async (uow) => {
      const [patient] = await uow.tx
        .insert(users)
        .values({
          email: `case.patient${i + 1}@${domain}`,
          passwordHash: patientPasswordHash,
          role: "patient",
          displayName: `Demo Case Patient ${i + 1}`,
        })
        .returning({ id: users.id });
      const [analysis] = await uow.tx
        .insert(analyses)
        .values({
          patientId: patient.id,
          imageKey,
          sha256: "0".repeat(64),
          modelVersion: "demo",
          verdict: "ok",
          reasons: [],
          probabilities: {
            benign: kind.topClass === "benign" ? 0.82 : 0.06,
            early_pre_b: kind.topClass === "early_pre_b" ? 0.82 : 0.06,
            pre_b: kind.topClass === "pre_b" ? 0.82 : 0.06,
            pro_b: 0.06,
          },
          topClass: kind.topClass,
          confidence: "moderate",
          note: "Demo analysis: a drawn picture, not a smear.",
          createdAt: new Date(now - OLDEST_CASE_DAYS * DAY - DAY),
        })
        .returning({ id: analyses.id });
      return { patientId: patient.id, analysisId: analysis.id };
    });
    await store.promote(imageKey);
    cases.push({ patient: { id: patientId, role: "patient" }, analysisId, kind });
  }
  const demoCases: string[] = [];
  // Demo accounts get no e-mail: the notifications are recorded, nothing is sent.
  setMailTransport({ send: async () => undefined });
  try {
    for (const doctor of doctors) {
      const doctorActor: Actor = { id: doctor.userId, role: "doctor" };
      const typicalHours = random.pick(TYPICAL_REPLY_HOURS);
      const mine = random.sample(cases, 3 + Math.floor(random.next() * 2));
      const times = new Map<string, { requestedAt: number; replyMs: number }>();
      for (const { patient, analysisId, kind } of mine) {
        const consultation = await shareAnalysis(patient, analysisId, {
          doctorProfileId: doctor.id,
          message: "Demo request: could you look at my smear, please?",
          consent: true,
        });
        await acceptRequest(doctorActor, consultation.id);
        await answerConsultation(doctorActor, consultation.id, {
          doctorClass: kind.doctorClass,
          morphology: kind.morphology,
          recommendations: kind.advice,
          urgency: kind.doctorClass === "early_pre_b" ? "soon" : "routine",
        });
        times.set(consultation.id, {
          // Requested 3 to OLDEST_CASE_DAYS days ago, answered after its reply time.
          requestedAt: now - (3 + Math.floor(random.next() * (OLDEST_CASE_DAYS - 3))) * DAY,
          replyMs: Math.round(typicalHours * (0.5 + random.next() * 1.1) * HOUR),
        });
        demoCases.push(consultation.id);
      }
      await inTransaction(async (uow) => {
        for (const [id, { requestedAt, replyMs }] of times) {
          await uow.tx
            .update(consultations)
            .set({
              consentAt: new Date(requestedAt),
              requestedAt: new Date(requestedAt),
              acceptedAt: new Date(requestedAt + Math.round(replyMs / 2)),
              answeredAt: new Date(requestedAt + replyMs),
            })
            .where(eq(consultations.id, id));
        }
        await refreshReplyTime(uow.tx, doctor.id);
      });
    }
    // Let the queued after-commit effects (the e-mails) run while nothing is sent.
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    setMailTransport(undefined);
  }
  // Old news: the demo cases' notifications are read.
  await inTransaction((uow) =>
    uow.tx
      .update(notifications)
      .set({ readAt: new Date() })
      .where(inArray(notifications.consultationId, demoCases)),
  );
  return { doctors: doctors.length, consultations: demoCases.length };
}
