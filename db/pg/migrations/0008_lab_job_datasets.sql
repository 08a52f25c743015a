CREATE TABLE "lab_job_datasets" (
	"job_id" text NOT NULL,
	"position" integer NOT NULL,
	"dataset_id" text,
	"dataset_name" text NOT NULL,
	CONSTRAINT "lab_job_datasets_job_id_position_pk" PRIMARY KEY("job_id","position")
);
--> statement-breakpoint
ALTER TABLE "lab_job_datasets" ADD CONSTRAINT "lab_job_datasets_job_id_lab_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."lab_jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lab_job_datasets" ADD CONSTRAINT "lab_job_datasets_dataset_id_lab_datasets_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "public"."lab_datasets"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "lab_job_datasets_dataset_idx" ON "lab_job_datasets" USING btree ("dataset_id");--> statement-breakpoint
-- The jobs so far trained on one dataset each.
INSERT INTO "lab_job_datasets" ("job_id", "position", "dataset_id", "dataset_name") SELECT "id", 0, "dataset_id", "dataset_name" FROM "lab_jobs";
