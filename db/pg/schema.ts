/**
 * The PostgreSQL + PostGIS schema: the same tables, columns, constraints and indexes as
 * db/schema.ts (SQLite), in Postgres types. tests/db/pg-schema-agreement.test.ts fails when the
 * two drift apart. What differs by dialect (docs/decisions/050):
 * - times are `timestamp(3) with time zone` (SQLite: integer milliseconds), read as Date;
 *   raw millisecond counters (rate limits, login throttle) are bigint;
 * - JSON lists and objects are jsonb (SQLite: JSON text);
 * - doctors have a generated `geog geography(Point,4326)` column with a partial GiST index
 *   (verified doctors), which replaces SQLite's `doctor_geo` R*Tree and its triggers, and
 *   `geo_id` is an identity column instead of a trigger;
 * - the append-only audit log and the review aggregates are triggers in migration 0002.
 */
import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  customType,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
// Relative paths: drizzle-kit reads this file.
import {
  AGE_BRACKETS,
  CLASS_IDS,
  CONFIDENCES,
  VERDICTS,
  type Probabilities,
} from "../../app/analyses/vocabulary";
import { ROLES } from "../../app/auth/vocabulary";
import type { CaptureReport } from "../../app/classifier/classify";
import { SEXES } from "../../app/clinic/vocabulary";
import {
  CONSULTATION_STATUSES,
  DOCTOR_CLASSES,
  URGENCIES,
} from "../../app/consultations/vocabulary";
import type { Fee } from "../../app/doctors/fees";
import { VERIFICATION_STATUSES } from "../../app/doctors/vocabulary";
import {
  DATASET_STATUSES,
  JOB_EVENT_KINDS,
  JOB_STATUSES,
  PROMOTION_KINDS,
} from "../../app/lab/vocabulary";
import type { DatasetReport } from "../../app/lab/report";
import { NOTIFICATION_KINDS } from "../../app/notifications/vocabulary";
import type { LabRecipe } from "../schema";
import { REVIEW_STATUSES } from "../../app/reviews/vocabulary";

/**
 * A point on the WGS 84 spheroid. drizzle-kit writes a custom type quoted
 * ("geography(Point,4326)"), which Postgres rejects: db/pg/README.md says how the generated
 * migration is corrected.
 */
const geography = customType<{ data: string; driverData: string }>({
  dataType: () => "geography(Point,4326)",
});

const at = (name: string) => timestamp(name, { precision: 3, withTimezone: true, mode: "date" });
const id = () =>
  text("id")
    .primaryKey()
    .$defaultFn(() => crypto.randomUUID());
const createdAt = () =>
  at("created_at")
    .notNull()
    .$defaultFn(() => new Date());
const updatedAt = () =>
  at("updated_at")
    .notNull()
    .$defaultFn(() => new Date())
    .$onUpdateFn(() => new Date());
const millis = (name: string) => bigint(name, { mode: "number" });

export const users = pgTable(
  "users",
  {
    id: id(),
    email: text("email").notNull(),
    passwordHash: text("password_hash").notNull(),
    role: text("role", { enum: ROLES }).notNull().default("patient"),
    displayName: text("display_name").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("users_email_lower_unique").on(sql`lower(${t.email})`),
    check("users_role_check", sql`${t.role} in ('patient', 'doctor', 'admin', 'researcher')`),
  ],
);

export const sessions = pgTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    lastSeenAt: at("last_seen_at").notNull(),
    expiresAt: at("expires_at").notNull(),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

export const doctorProfiles = pgTable(
  "doctor_profiles",
  {
    id: id(),
    userId: text("user_id")
      .notNull()
      .unique()
      .references(() => users.id, { onDelete: "cascade" }),
    status: text("status", { enum: VERIFICATION_STATUSES }).notNull().default("pending"),
    title: text("title"),
    licenceNumber: text("licence_number"),
    licenceAuthority: text("licence_authority"),
    boardCertifications: jsonb("board_certifications")
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    specialties: jsonb("specialties")
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    languages: jsonb("languages")
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    clinicName: text("clinic_name"),
    streetAddress: text("street_address"),
    city: text("city"),
    country: text("country"),
    lat: doublePrecision("lat"),
    lng: doublePrecision("lng"),
    offersTeleconsultation: boolean("offers_teleconsultation").notNull().default(false),
    acceptsNewPatients: boolean("accepts_new_patients").notNull().default(true),
    bio: text("bio"),
    phone: text("phone"),
    website: text("website"),
    isDemo: boolean("is_demo").notNull().default(false),
    verifiedAt: at("verified_at"),
    verifiedBy: text("verified_by").references(() => users.id, { onDelete: "set null" }),
    rejectionReason: text("rejection_reason"),
    suspensionReason: text("suspension_reason"),
    suspendedAt: at("suspended_at"),
    suspendedBy: text("suspended_by").references(() => users.id, { onDelete: "set null" }),
    /** The search's tie-breaker (older profile first), as in SQLite; an identity here. */
    geoId: integer("geo_id").unique().generatedByDefaultAsIdentity(),
    ratingCount: integer("rating_count").notNull().default(0),
    ratingSum: integer("rating_sum").notNull().default(0),
    replyCount: integer("reply_count").notNull().default(0),
    medianReplyMs: bigint("median_reply_ms", { mode: "number" }),
    education: jsonb("education")
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    inPersonFee: jsonb("in_person_fee").$type<Fee>(),
    teleconsultationFee: jsonb("teleconsultation_fee").$type<Fee>(),
    photoKey: text("photo_key"),
    boardCertificationYear: integer("board_certification_year"),
    practiceStartYear: integer("practice_start_year"),
    /** The location as a geography point, kept by Postgres itself (null without lat/lng). */
    geog: geography("geog").generatedAlwaysAs(
      sql`CASE WHEN lat IS NOT NULL AND lng IS NOT NULL THEN ST_SetSRID(ST_MakePoint(lng, lat), 4326)::geography END`,
    ),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("doctor_profiles_status_idx").on(t.status),
    index("doctor_profiles_geog_verified_idx")
      .using("gist", t.geog)
      .where(sql`${t.status} = 'verified'`),
    check(
      "doctor_profiles_status_check",
      sql`${t.status} in ('pending', 'verified', 'suspended', 'rejected')`,
    ),
  ],
);

export const reviews = pgTable(
  "reviews",
  {
    id: id(),
    doctorId: text("doctor_id")
      .notNull()
      .references(() => doctorProfiles.id, { onDelete: "cascade" }),
    authorId: text("author_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    rating: integer("rating").notNull(),
    body: text("body").notNull(),
    status: text("status", { enum: REVIEW_STATUSES }).notNull().default("visible"),
    doctorReply: text("doctor_reply"),
    doctorReplyAt: at("doctor_reply_at"),
    verifiedConsultation: boolean("verified_consultation").notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("reviews_doctor_idx").on(t.doctorId),
    uniqueIndex("reviews_doctor_author_unique").on(t.doctorId, t.authorId),
    check("reviews_rating_check", sql`${t.rating} between 1 and 5`),
  ],
);

export const reviewReports = pgTable(
  "review_reports",
  {
    id: id(),
    reviewId: text("review_id")
      .notNull()
      .references(() => reviews.id, { onDelete: "cascade" }),
    reporterId: text("reporter_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    reason: text("reason").notNull(),
    resolvedAt: at("resolved_at"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("review_reports_review_reporter_unique").on(t.reviewId, t.reporterId)],
);

/** Append-only: migration 0002 adds triggers that refuse UPDATE, DELETE and TRUNCATE. */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    at: at("at")
      .notNull()
      .$defaultFn(() => new Date()),
    actorId: text("actor_id"),
    action: text("action").notNull(),
    targetType: text("target_type"),
    targetId: text("target_id"),
    outcome: text("outcome", { enum: ["success", "failure", "denied"] }).notNull(),
    ip: text("ip"),
    detail: text("detail"),
  },
  (t) => [
    index("audit_log_actor_idx").on(t.actorId),
    index("audit_log_target_idx").on(t.targetType, t.targetId),
  ],
);

export const rateLimits = pgTable(
  "rate_limits",
  {
    bucket: text("bucket").notNull(),
    key: text("key").notNull(),
    windowStart: millis("window_start").notNull(),
    count: integer("count").notNull(),
  },
  (t) => [primaryKey({ columns: [t.bucket, t.key] })],
);

export const loginThrottle = pgTable("login_throttle", {
  key: text("key").primaryKey(),
  failures: integer("failures").notNull(),
  lastFailureAt: millis("last_failure_at").notNull(),
  blockedUntil: millis("blocked_until").notNull(),
});

export const passwordResets = pgTable(
  "password_resets",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    expiresAt: at("expires_at").notNull(),
    usedAt: at("used_at"),
  },
  (t) => [index("password_resets_user_idx").on(t.userId)],
);

export const secondFactors = pgTable("second_factors", {
  userId: text("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  secret: text("secret").notNull(),
  createdAt: createdAt(),
  confirmedAt: at("confirmed_at"),
  lastStep: bigint("last_step", { mode: "number" }),
});

export const recoveryCodes = pgTable(
  "recovery_codes",
  {
    id: id(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    codeHash: text("code_hash").notNull(),
    usedAt: at("used_at"),
  },
  (t) => [uniqueIndex("recovery_codes_user_hash_unique").on(t.userId, t.codeHash)],
);

export const analyses = pgTable(
  "analyses",
  {
    id: id(),
    patientId: text("patient_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    imageKey: text("image_key").notNull().unique(),
    sha256: text("sha256").notNull(),
    modelVersion: text("model_version").notNull(),
    verdict: text("verdict", { enum: VERDICTS }).notNull(),
    reasons: jsonb("reasons").$type<string[]>().notNull(),
    probabilities: jsonb("probabilities").$type<Probabilities>().notNull(),
    topClass: text("top_class", { enum: CLASS_IDS }).notNull(),
    confidence: text("confidence", { enum: CONFIDENCES }).notNull(),
    capture: jsonb("capture").$type<CaptureReport>(),
    ageBracket: text("age_bracket", { enum: AGE_BRACKETS }),
    note: text("note"),
    createdAt: createdAt(),
  },
  (t) => [
    index("analyses_patient_created_idx").on(t.patientId, t.createdAt),
    check("analyses_verdict_check", sql`${t.verdict} in ('ok', 'cant_assess')`),
    check(
      "analyses_top_class_check",
      sql`${t.topClass} in ('benign', 'early_pre_b', 'pre_b', 'pro_b')`,
    ),
    check("analyses_confidence_check", sql`${t.confidence} in ('high', 'moderate', 'low')`),
    check("analyses_age_bracket_check", sql`${t.ageBracket} in ('child', 'adult')`),
  ],
);

export const consultations = pgTable(
  "consultations",
  {
    id: id(),
    analysisId: text("analysis_id")
      .notNull()
      .references(() => analyses.id, { onDelete: "cascade" }),
    patientId: text("patient_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    doctorProfileId: text("doctor_profile_id")
      .notNull()
      .references(() => doctorProfiles.id, { onDelete: "cascade" }),
    status: text("status", { enum: CONSULTATION_STATUSES }).notNull().default("requested"),
    message: text("message").notNull(),
    ageBracket: text("age_bracket", { enum: AGE_BRACKETS }),
    consentAt: at("consent_at").notNull(),
    declineReason: text("decline_reason"),
    doctorClass: text("doctor_class", { enum: DOCTOR_CLASSES }),
    recommendations: text("recommendations"),
    morphology: text("morphology"),
    urgency: text("urgency", { enum: URGENCIES }),
    requestedAt: createdAt(),
    acceptedAt: at("accepted_at"),
    declinedAt: at("declined_at"),
    answeredAt: at("answered_at"),
    closedAt: at("closed_at"),
    withdrawnAt: at("withdrawn_at"),
    revokedAt: at("revoked_at"),
    clinicPatientId: text("clinic_patient_id").references(() => clinicPatients.id, {
      onDelete: "set null",
    }),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("consultations_clinic_patient_idx").on(t.clinicPatientId),
    index("consultations_doctor_idx").on(t.doctorProfileId, t.status),
    index("consultations_patient_idx").on(t.patientId),
    index("consultations_analysis_idx").on(t.analysisId),
    check(
      "consultations_status_check",
      sql`${t.status} in ('requested', 'accepted', 'declined', 'answered', 'closed', 'withdrawn')`,
    ),
  ],
);

export const clinicPatients = pgTable(
  "clinic_patients",
  {
    id: id(),
    doctorId: text("doctor_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    clinicRef: text("clinic_ref").notNull(),
    name: text("name").notNull(),
    nameKey: text("name_key").notNull(),
    birthDate: text("birth_date").notNull(),
    sex: text("sex", { enum: SEXES }).notNull(),
    contact: text("contact"),
    holderId: text("holder_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    claimedAt: at("claimed_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("clinic_patients_doctor_ref_unique").on(t.doctorId, sql`lower(${t.clinicRef})`),
    index("clinic_patients_doctor_name_idx").on(t.doctorId, t.nameKey),
    index("clinic_patients_holder_idx").on(t.holderId),
    check("clinic_patients_sex_check", sql`${t.sex} in ('female', 'male', 'other', 'unknown')`),
  ],
);

export const clinicInvitations = pgTable(
  "clinic_invitations",
  {
    id: id(),
    clinicPatientId: text("clinic_patient_id")
      .notNull()
      .references(() => clinicPatients.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull().unique(),
    expiresAt: at("expires_at").notNull(),
    usedAt: at("used_at"),
    usedBy: text("used_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [index("clinic_invitations_patient_idx").on(t.clinicPatientId)],
);

export const consultationMessages = pgTable(
  "consultation_messages",
  {
    id: id(),
    consultationId: text("consultation_id")
      .notNull()
      .references(() => consultations.id, { onDelete: "cascade" }),
    authorId: text("author_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    body: text("body").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("consultation_messages_thread_idx").on(t.consultationId, t.createdAt)],
);

export const notifications = pgTable(
  "notifications",
  {
    id: id(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: NOTIFICATION_KINDS }).notNull(),
    text: text("text").notNull(),
    link: text("link"),
    consultationId: text("consultation_id").references(() => consultations.id, {
      onDelete: "cascade",
    }),
    createdAt: createdAt(),
    readAt: at("read_at"),
  },
  (t) => [index("notifications_user_unread_idx").on(t.userId, t.readAt)],
);

export const uploads = pgTable(
  "uploads",
  {
    id: id(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    imageKey: text("image_key").notNull().unique(),
    idempotencyKey: text("idempotency_key"),
    requestSha256: text("request_sha256").notNull(),
    owner: text("owner").notNull(),
    analysisId: text("analysis_id").references(() => analyses.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("uploads_user_idempotency_unique").on(t.userId, t.idempotencyKey),
    index("uploads_pending_idx").on(t.analysisId, t.createdAt),
  ],
);

/** The model lab's datasets (files under `DATA_DIR/lab/datasets/<id>/`), as in db/schema.ts. */
export const labDatasets = pgTable(
  "lab_datasets",
  {
    id: id(),
    name: text("name").notNull(),
    status: text("status", { enum: DATASET_STATUSES }).notNull().default("staged"),
    images: integer("images").notNull(),
    bytes: bigint("bytes", { mode: "number" }).notNull(),
    report: jsonb("report").$type<DatasetReport>().notNull(),
    uploadedBy: text("uploaded_by").references(() => users.id, { onDelete: "set null" }),
    acceptedAt: at("accepted_at"),
    createdAt: createdAt(),
  },
  (t) => [
    index("lab_datasets_created_idx").on(t.createdAt),
    check("lab_datasets_status_check", sql`${t.status} in ('staged', 'accepted')`),
  ],
);

/** The model lab's training jobs, one at a time in a child process. */
export const labJobs = pgTable(
  "lab_jobs",
  {
    id: id(),
    datasetId: text("dataset_id").references(() => labDatasets.id, { onDelete: "set null" }),
    datasetName: text("dataset_name").notNull(),
    version: text("version").notNull().unique(),
    status: text("status", { enum: JOB_STATUSES }).notNull().default("queued"),
    recipe: jsonb("recipe").$type<LabRecipe>().notNull(),
    epoch: integer("epoch").notNull().default(0),
    runner: text("runner"),
    cancelRequested: boolean("cancel_requested").notNull().default(false),
    error: text("error"),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    startedAt: at("started_at"),
    finishedAt: at("finished_at"),
  },
  (t) => [
    index("lab_jobs_status_created_idx").on(t.status, t.createdAt),
    check(
      "lab_jobs_status_check",
      sql`${t.status} in ('queued', 'running', 'succeeded', 'failed', 'cancelled')`,
    ),
  ],
);

/** The datasets a lab job trains on, in the order chosen (db/schema.ts). */
export const labJobDatasets = pgTable(
  "lab_job_datasets",
  {
    jobId: text("job_id")
      .notNull()
      .references(() => labJobs.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
    datasetId: text("dataset_id").references(() => labDatasets.id, { onDelete: "set null" }),
    datasetName: text("dataset_name").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.jobId, t.position] }),
    index("lab_job_datasets_dataset_idx").on(t.datasetId),
  ],
);

/** What a lab job reported as it ran, in order. */
export const labJobEvents = pgTable(
  "lab_job_events",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    jobId: text("job_id")
      .notNull()
      .references(() => labJobs.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: JOB_EVENT_KINDS }).notNull(),
    data: jsonb("data").$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("lab_job_events_job_idx").on(t.jobId, t.id)],
);

/** Every change of the model in use, newest last (the newest names the current version). */
export const modelPromotions = pgTable(
  "model_promotions",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    version: text("version").notNull(),
    previousVersion: text("previous_version"),
    kind: text("kind", { enum: PROMOTION_KINDS }).notNull(),
    jobId: text("job_id").references(() => labJobs.id, { onDelete: "set null" }),
    promotedBy: text("promoted_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [check("model_promotions_kind_check", sql`${t.kind} in ('promote', 'rollback')`)],
);

export const researchPreferences = pgTable("research_preferences", {
  userId: text("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  shareFutureUploads: boolean("share_future_uploads").notNull().default(false),
  updatedAt: updatedAt(),
});

export const researchConsents = pgTable(
  "research_consents",
  {
    analysisId: text("analysis_id")
      .primaryKey()
      .references(() => analyses.id, { onDelete: "cascade" }),
    patientId: text("patient_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    grantedAt: at("granted_at").notNull(),
    revokedAt: at("revoked_at"),
  },
  (t) => [index("research_consents_patient_idx").on(t.patientId)],
);
