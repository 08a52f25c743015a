import { sql } from "drizzle-orm";
import {
  check,
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";
// The vocabulary is the app's; the schema stores it (relative paths: drizzle-kit reads this file).
import {
  AGE_BRACKETS,
  CLASS_IDS,
  CONFIDENCES,
  VERDICTS,
  type Probabilities,
} from "../app/analyses/vocabulary";
import { ROLES } from "../app/auth/vocabulary";
import { SEXES } from "../app/clinic/vocabulary";
import { CONSULTATION_STATUSES, DOCTOR_CLASSES, URGENCIES } from "../app/consultations/vocabulary";
import { VERIFICATION_STATUSES } from "../app/doctors/vocabulary";
import type { Fee } from "../app/doctors/fees";
import { NOTIFICATION_KINDS } from "../app/notifications/vocabulary";
import {
  DATASET_STATUSES,
  JOB_EVENT_KINDS,
  JOB_STATUSES,
  PROMOTION_KINDS,
  type ArchitectureName,
} from "../app/lab/vocabulary";
import { REVIEW_STATUSES } from "../app/reviews/vocabulary";

const id = () =>
  text("id")
    .primaryKey()
    .$defaultFn(() => crypto.randomUUID());
const createdAt = () =>
  integer("created_at", { mode: "timestamp_ms" })
    .notNull()
    .$defaultFn(() => new Date());
const updatedAt = () =>
  integer("updated_at", { mode: "timestamp_ms" })
    .notNull()
    .$defaultFn(() => new Date())
    .$onUpdateFn(() => new Date());

export const users = sqliteTable(
  "users",
  {
    id: id(),
    // Stored lower-cased; the unique index on lower(email) also guards raw inserts.
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

export const sessions = sqliteTable(
  "sessions",
  {
    // sha256 of the random token in the cookie: a leaked database does not leak live sessions.
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    lastSeenAt: integer("last_seen_at", { mode: "timestamp_ms" }).notNull(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

export const doctorProfiles = sqliteTable(
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
    boardCertifications: text("board_certifications", { mode: "json" })
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'`),
    specialties: text("specialties", { mode: "json" })
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'`),
    languages: text("languages", { mode: "json" })
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'`),
    clinicName: text("clinic_name"),
    streetAddress: text("street_address"),
    city: text("city"),
    country: text("country"),
    lat: real("lat"),
    lng: real("lng"),
    offersTeleconsultation: integer("offers_teleconsultation", { mode: "boolean" })
      .notNull()
      .default(false),
    acceptsNewPatients: integer("accepts_new_patients", { mode: "boolean" })
      .notNull()
      .default(true),
    bio: text("bio"),
    phone: text("phone"),
    website: text("website"),
    isDemo: integer("is_demo", { mode: "boolean" }).notNull().default(false),
    verifiedAt: integer("verified_at", { mode: "timestamp_ms" }),
    verifiedBy: text("verified_by").references(() => users.id, { onDelete: "set null" }),
    rejectionReason: text("rejection_reason"),
    /** Why an admin suspended a verified profile (shown to the doctor), when and by whom. */
    suspensionReason: text("suspension_reason"),
    suspendedAt: integer("suspended_at", { mode: "timestamp_ms" }),
    suspendedBy: text("suspended_by").references(() => users.id, { onDelete: "set null" }),
    /**
     * Integer key of the profile in the `doctor_geo` R*Tree (assigned by a trigger on
     * insert; the R*Tree holds verified profiles with a location, kept in sync by triggers).
     */
    geoId: integer("geo_id").unique(),
    /** Visible reviews only, maintained by triggers in the same transaction as the review. */
    ratingCount: integer("rating_count").notNull().default(0),
    ratingSum: integer("rating_sum").notNull().default(0),
    /**
     * Answered consultations and the median time (ms) from request to the doctor's first
     * reply (a message or the answer), kept by app/doctors/reply-time.server.ts in the
     * answer's transaction (decision 048).
     */
    replyCount: integer("reply_count").notNull().default(0),
    medianReplyMs: integer("median_reply_ms"),
    /** Education and training, one line each ("MD, Université de Lyon, 2004"). */
    education: text("education", { mode: "json" })
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'`),
    /** Consultation fees by kind; null: not stated (app/doctors/fees.ts). */
    inPersonFee: text("in_person_fee", { mode: "json" }).$type<Fee>(),
    teleconsultationFee: text("teleconsultation_fee", { mode: "json" }).$type<Fee>(),
    /** The profile photo's key in the image store (app/doctors/photo.server.ts), or null. */
    photoKey: text("photo_key"),
    /**
     * The year of the doctor's (first) board certification, and the year they started to
     * practise; years in practice are counted from it when shown, never stored as a count
     * (app/doctors/profile-details.ts, decision 056). Null: not stated.
     */
    boardCertificationYear: integer("board_certification_year"),
    practiceStartYear: integer("practice_start_year"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("doctor_profiles_status_idx").on(t.status),
    check(
      "doctor_profiles_status_check",
      sql`${t.status} in ('pending', 'verified', 'suspended', 'rejected')`,
    ),
  ],
);

export const reviews = sqliteTable(
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
    doctorReplyAt: integer("doctor_reply_at", { mode: "timestamp_ms" }),
    /** The author had a completed consultation with this doctor (set by teleconsultation). */
    verifiedConsultation: integer("verified_consultation", { mode: "boolean" })
      .notNull()
      .default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("reviews_doctor_idx").on(t.doctorId),
    uniqueIndex("reviews_doctor_author_unique").on(t.doctorId, t.authorId),
    check("reviews_rating_check", sql`${t.rating} between 1 and 5`),
  ],
);

/** A user's report of a review, for the admin's moderation queue. */
export const reviewReports = sqliteTable(
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
    resolvedAt: integer("resolved_at", { mode: "timestamp_ms" }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("review_reports_review_reporter_unique").on(t.reviewId, t.reporterId)],
);

/** Append-only: the migration adds triggers that refuse UPDATE and DELETE. */
export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: integer("at", { mode: "timestamp_ms" })
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

/** Fixed-window counters shared by every app instance (see docs/decisions/003). */
export const rateLimits = sqliteTable(
  "rate_limits",
  {
    bucket: text("bucket").notNull(),
    key: text("key").notNull(),
    windowStart: integer("window_start").notNull(),
    count: integer("count").notNull(),
  },
  (t) => [primaryKey({ columns: [t.bucket, t.key] })],
);

/**
 * Failed logins, per account (the e-mail as typed, known or not), per known device and per
 * address, with the back-off they earned (see docs/decisions/030). A success deletes its rows.
 */
export const loginThrottle = sqliteTable("login_throttle", {
  key: text("key").primaryKey(),
  failures: integer("failures").notNull(),
  lastFailureAt: integer("last_failure_at").notNull(),
  blockedUntil: integer("blocked_until").notNull(),
});

/**
 * Password-reset links: the sha256 of the random token in the e-mailed link (a leaked database
 * holds no usable link), valid until `expires_at`, spent once (`used_at`).
 */
export const passwordResets = sqliteTable(
  "password_resets",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    usedAt: integer("used_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("password_resets_user_idx").on(t.userId)],
);

/**
 * A user's TOTP second factor (RFC 6238). Unconfirmed (`confirmed_at` null) while being set
 * up; `last_step` is the last time step whose code was accepted, so a code works only once.
 */
export const secondFactors = sqliteTable("second_factors", {
  userId: text("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  secret: text("secret").notNull(),
  createdAt: createdAt(),
  confirmedAt: integer("confirmed_at", { mode: "timestamp_ms" }),
  lastStep: integer("last_step"),
});

/** One-time recovery codes for the second factor, stored as sha256 hashes. */
export const recoveryCodes = sqliteTable(
  "recovery_codes",
  {
    id: id(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    codeHash: text("code_hash").notNull(),
    usedAt: integer("used_at", { mode: "timestamp_ms" }),
  },
  (t) => [uniqueIndex("recovery_codes_user_hash_unique").on(t.userId, t.codeHash)],
);

export type User = typeof users.$inferSelect;
export type DoctorProfile = typeof doctorProfiles.$inferSelect;

import type { CaptureReport } from "../app/classifier/classify";
import type { DatasetReport } from "../app/lab/report";
export const analyses = sqliteTable(
  "analyses",
  {
    id: id(),
    patientId: text("patient_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** Key of the stored files (original re-encoded, thumbnail, heat-map) in the image store. */
    imageKey: text("image_key").notNull().unique(),
    sha256: text("sha256").notNull(),
    modelVersion: text("model_version").notNull(),
    verdict: text("verdict", { enum: VERDICTS }).notNull(),
    reasons: text("reasons", { mode: "json" }).$type<string[]>().notNull(),
    probabilities: text("probabilities", { mode: "json" }).$type<Probabilities>().notNull(),
    topClass: text("top_class", { enum: CLASS_IDS }).notNull(),
    confidence: text("confidence", { enum: CONFIDENCES }).notNull(),
    /** What the capture normalisation measured (red cells, scale, focus…); null before it existed. */
    capture: text("capture", { mode: "json" }).$type<CaptureReport>(),
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

export type Analysis = typeof analyses.$inferSelect;

/**
 * A patient's analysis shared with one certified doctor (store-and-forward consultation).
 * The doctor sees the case only while it is shared: not withdrawn and not revoked.
 */
export const consultations = sqliteTable(
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
    consentAt: integer("consent_at", { mode: "timestamp_ms" }).notNull(),
    declineReason: text("decline_reason"),
    doctorClass: text("doctor_class", { enum: DOCTOR_CLASSES }),
    /** The advice to the patient. */
    recommendations: text("recommendations"),
    /** What the doctor saw in the smear, for the record (null on answers given before 0014). */
    morphology: text("morphology"),
    urgency: text("urgency", { enum: URGENCIES }),
    requestedAt: createdAt(),
    acceptedAt: integer("accepted_at", { mode: "timestamp_ms" }),
    declinedAt: integer("declined_at", { mode: "timestamp_ms" }),
    answeredAt: integer("answered_at", { mode: "timestamp_ms" }),
    closedAt: integer("closed_at", { mode: "timestamp_ms" }),
    withdrawnAt: integer("withdrawn_at", { mode: "timestamp_ms" }),
    revokedAt: integer("revoked_at", { mode: "timestamp_ms" }),
    /**
     * Set when the doctor opened it for a patient of their own practice (docs/decisions/061):
     * no request to accept, no notices to a record-holder account, not a shared case's reply time.
     */
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

export type Consultation = typeof consultations.$inferSelect;

/**
 * A patient of a doctor's own practice (docs/decisions/061). Their analyses belong to
 * `holderId`: a record-holder account without credentials until the patient claims the
 * records through an invitation, then the patient's own account.
 */
export const clinicPatients = sqliteTable(
  "clinic_patients",
  {
    id: id(),
    doctorId: text("doctor_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** The practice's own patient number, unique per doctor (case-insensitive). */
    clinicRef: text("clinic_ref").notNull(),
    name: text("name").notNull(),
    /** `nameKey(name)`: lower-cased, without accents, for duplicates and search. */
    nameKey: text("name_key").notNull(),
    /** YYYY-MM-DD. */
    birthDate: text("birth_date").notNull(),
    sex: text("sex", { enum: SEXES }).notNull(),
    contact: text("contact"),
    holderId: text("holder_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    claimedAt: integer("claimed_at", { mode: "timestamp_ms" }),
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

export type ClinicPatient = typeof clinicPatients.$inferSelect;

/** A one-time link for a clinic patient to claim their records; only its hash is stored. */
export const clinicInvitations = sqliteTable(
  "clinic_invitations",
  {
    id: id(),
    clinicPatientId: text("clinic_patient_id")
      .notNull()
      .references(() => clinicPatients.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull().unique(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    usedAt: integer("used_at", { mode: "timestamp_ms" }),
    usedBy: text("used_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [index("clinic_invitations_patient_idx").on(t.clinicPatientId)],
);

/** The message thread of one consultation, between its patient and its doctor. */
export const consultationMessages = sqliteTable(
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

export type ConsultationMessage = typeof consultationMessages.$inferSelect;

/** In-app notifications; unread ones make the badges in the navigation. */
export const notifications = sqliteTable(
  "notifications",
  {
    id: id(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: NOTIFICATION_KINDS }).notNull(),
    text: text("text").notNull(),
    /** A path inside the app; null when there is nothing left to open (a revoked case). */
    link: text("link"),
    consultationId: text("consultation_id").references(() => consultations.id, {
      onDelete: "cascade",
    }),
    createdAt: createdAt(),
    readAt: integer("read_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("notifications_user_unread_idx").on(t.userId, t.readAt)],
);

export type Notification = typeof notifications.$inferSelect;

/**
 * The journal of uploads (docs/decisions/034): a row is committed before an upload writes
 * any file and is completed (`analysisId`) in the transaction that inserts the analysis, so
 * after a crash every image folder has a row here or in `analyses`, and the sweep removes the
 * files of rows left pending. Rows with an Idempotency-Key are kept a day to answer retries.
 */
export const uploads = sqliteTable(
  "uploads",
  {
    id: id(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    imageKey: text("image_key").notNull().unique(),
    idempotencyKey: text("idempotency_key"),
    /** sha256 of the request (file and fields): a retry must send the same upload. */
    requestSha256: text("request_sha256").notNull(),
    /** `host:pid` of the process writing it: a pending row whose process is gone is abandoned. */
    owner: text("owner").notNull(),
    analysisId: text("analysis_id").references(() => analyses.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("uploads_user_idempotency_unique").on(t.userId, t.idempotencyKey),
    index("uploads_pending_idx").on(t.analysisId, t.createdAt),
  ],
);

export type Upload = typeof uploads.$inferSelect;

/**
 * A labelled dataset uploaded to the model lab: its files live under `DATA_DIR/lab/datasets/<id>/`
 * (class folders and a manifest.csv), its validation report here. Staged until accepted.
 */
export const labDatasets = sqliteTable(
  "lab_datasets",
  {
    id: id(),
    name: text("name").notNull(),
    status: text("status", { enum: DATASET_STATUSES }).notNull().default("staged"),
    images: integer("images").notNull(),
    bytes: integer("bytes").notNull(),
    report: text("report", { mode: "json" }).$type<DatasetReport>().notNull(),
    uploadedBy: text("uploaded_by").references(() => users.id, { onDelete: "set null" }),
    acceptedAt: integer("accepted_at", { mode: "timestamp_ms" }),
    createdAt: createdAt(),
  },
  (t) => [
    index("lab_datasets_created_idx").on(t.createdAt),
    check("lab_datasets_status_check", sql`${t.status} in ('staged', 'accepted')`),
  ],
);

export type LabDataset = typeof labDatasets.$inferSelect;

/** The recipe a lab job trains with (scripts/model/training.ts `Recipe`, plus the split). */
export type LabRecipe = {
  architecture: ArchitectureName;
  epochs: number;
  seed: number;
  augmentation: boolean;
  blockSize: number;
  batchSize: number;
};

/**
 * A training job of the model lab. One runs at a time, in a child process (`runner` names it,
 * host:pid); its candidate model and checkpoint live under `DATA_DIR/lab/jobs/<id>/`.
 */
export const labJobs = sqliteTable(
  "lab_jobs",
  {
    id: id(),
    datasetId: text("dataset_id").references(() => labDatasets.id, { onDelete: "set null" }),
    datasetName: text("dataset_name").notNull(),
    /** The candidate model's version name (its folder name once promoted). */
    version: text("version").notNull().unique(),
    status: text("status", { enum: JOB_STATUSES }).notNull().default("queued"),
    recipe: text("recipe", { mode: "json" }).$type<LabRecipe>().notNull(),
    /** The last epoch finished (and checkpointed). */
    epoch: integer("epoch").notNull().default(0),
    runner: text("runner"),
    cancelRequested: integer("cancel_requested", { mode: "boolean" }).notNull().default(false),
    error: text("error"),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    startedAt: integer("started_at", { mode: "timestamp_ms" }),
    finishedAt: integer("finished_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    index("lab_jobs_status_created_idx").on(t.status, t.createdAt),
    check(
      "lab_jobs_status_check",
      sql`${t.status} in ('queued', 'running', 'succeeded', 'failed', 'cancelled')`,
    ),
  ],
);

export type LabJob = typeof labJobs.$inferSelect;

/**
 * The datasets a lab job trains on, in the order chosen (docs/decisions/073): each is split on
 * its own, and the name stays when a dataset is deleted. `lab_jobs.dataset_id` and
 * `dataset_name` keep the first dataset and the joined names, for the jobs list.
 */
export const labJobDatasets = sqliteTable(
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

export type LabJobDataset = typeof labJobDatasets.$inferSelect;

/** What a job reported as it ran (batches, epochs, log lines), in order: its curves and its stream. */
export const labJobEvents = sqliteTable(
  "lab_job_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    jobId: text("job_id")
      .notNull()
      .references(() => labJobs.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: JOB_EVENT_KINDS }).notNull(),
    data: text("data", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("lab_job_events_job_idx").on(t.jobId, t.id)],
);

export type LabJobEvent = typeof labJobEvents.$inferSelect;

/**
 * Every change of the model in use, newest last: the newest row is the current version for
 * every instance; `current.json` in the models folder is the embedded default until the first
 * row (docs/decisions/060). Append-only by use: a rollback is a new row.
 */
export const modelPromotions = sqliteTable(
  "model_promotions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    version: text("version").notNull(),
    previousVersion: text("previous_version"),
    kind: text("kind", { enum: PROMOTION_KINDS }).notNull(),
    jobId: text("job_id").references(() => labJobs.id, { onDelete: "set null" }),
    promotedBy: text("promoted_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [check("model_promotions_kind_check", sql`${t.kind} in ('promote', 'rollback')`)],
);

export type ModelPromotion = typeof modelPromotions.$inferSelect;

/**
 * A patient's research choice for their future uploads (account settings); off until they
 * turn it on. The upload form starts from it; each upload's own choice is what counts.
 */
export const researchPreferences = sqliteTable("research_preferences", {
  userId: text("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  shareFutureUploads: integer("share_future_uploads", { mode: "boolean" }).notNull().default(false),
  updatedAt: updatedAt(),
});

/**
 * Consent to research use of one analysis's de-identified image and its hematologist-confirmed
 * label (app/research/). Revoking (`revoked_at`) keeps the row as the record of what was given
 * and takes the image out of every later research export.
 */
export const researchConsents = sqliteTable(
  "research_consents",
  {
    analysisId: text("analysis_id")
      .primaryKey()
      .references(() => analyses.id, { onDelete: "cascade" }),
    patientId: text("patient_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    grantedAt: integer("granted_at", { mode: "timestamp_ms" }).notNull(),
    revokedAt: integer("revoked_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("research_consents_patient_idx").on(t.patientId)],
);

export type ResearchConsent = typeof researchConsents.$inferSelect;
