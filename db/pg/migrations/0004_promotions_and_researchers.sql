CREATE TABLE "model_promotions" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "model_promotions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"version" text NOT NULL,
	"previous_version" text,
	"kind" text NOT NULL,
	"job_id" text,
	"promoted_by" text,
	"created_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "model_promotions_kind_check" CHECK ("model_promotions"."kind" in ('promote', 'rollback'))
);
--> statement-breakpoint
ALTER TABLE "users" DROP CONSTRAINT "users_role_check";--> statement-breakpoint
ALTER TABLE "model_promotions" ADD CONSTRAINT "model_promotions_job_id_lab_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."lab_jobs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "model_promotions" ADD CONSTRAINT "model_promotions_promoted_by_users_id_fk" FOREIGN KEY ("promoted_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_role_check" CHECK ("users"."role" in ('patient', 'doctor', 'admin', 'researcher'));