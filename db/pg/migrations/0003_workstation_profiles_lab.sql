CREATE TABLE "lab_datasets" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"status" text DEFAULT 'staged' NOT NULL,
	"images" integer NOT NULL,
	"bytes" bigint NOT NULL,
	"report" jsonb NOT NULL,
	"uploaded_by" text,
	"accepted_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "lab_datasets_status_check" CHECK ("lab_datasets"."status" in ('staged', 'accepted'))
);
--> statement-breakpoint
CREATE TABLE "lab_job_events" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "lab_job_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"job_id" text NOT NULL,
	"kind" text NOT NULL,
	"data" jsonb NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lab_jobs" (
	"id" text PRIMARY KEY NOT NULL,
	"dataset_id" text,
	"dataset_name" text NOT NULL,
	"version" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"recipe" jsonb NOT NULL,
	"epoch" integer DEFAULT 0 NOT NULL,
	"runner" text,
	"cancel_requested" boolean DEFAULT false NOT NULL,
	"error" text,
	"created_by" text,
	"created_at" timestamp (3) with time zone NOT NULL,
	"started_at" timestamp (3) with time zone,
	"finished_at" timestamp (3) with time zone,
	CONSTRAINT "lab_jobs_version_unique" UNIQUE("version"),
	CONSTRAINT "lab_jobs_status_check" CHECK ("lab_jobs"."status" in ('queued', 'running', 'succeeded', 'failed', 'cancelled'))
);
--> statement-breakpoint
ALTER TABLE "consultations" ADD COLUMN "morphology" text;--> statement-breakpoint
ALTER TABLE "doctor_profiles" ADD COLUMN "reply_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "doctor_profiles" ADD COLUMN "median_reply_ms" bigint;--> statement-breakpoint
ALTER TABLE "doctor_profiles" ADD COLUMN "education" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "doctor_profiles" ADD COLUMN "in_person_fee" jsonb;--> statement-breakpoint
ALTER TABLE "doctor_profiles" ADD COLUMN "teleconsultation_fee" jsonb;--> statement-breakpoint
ALTER TABLE "doctor_profiles" ADD COLUMN "photo_key" text;--> statement-breakpoint
ALTER TABLE "lab_datasets" ADD CONSTRAINT "lab_datasets_uploaded_by_users_id_fk" FOREIGN KEY ("uploaded_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lab_job_events" ADD CONSTRAINT "lab_job_events_job_id_lab_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."lab_jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lab_jobs" ADD CONSTRAINT "lab_jobs_dataset_id_lab_datasets_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "public"."lab_datasets"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lab_jobs" ADD CONSTRAINT "lab_jobs_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "lab_datasets_created_idx" ON "lab_datasets" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "lab_job_events_job_idx" ON "lab_job_events" USING btree ("job_id","id");--> statement-breakpoint
CREATE INDEX "lab_jobs_status_created_idx" ON "lab_jobs" USING btree ("status","created_at");