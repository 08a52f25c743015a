CREATE TABLE "clinic_invitations" (
	"id" text PRIMARY KEY NOT NULL,
	"clinic_patient_id" text NOT NULL,
	"token_hash" text NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL,
	"used_at" timestamp (3) with time zone,
	"used_by" text,
	"created_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "clinic_invitations_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "clinic_patients" (
	"id" text PRIMARY KEY NOT NULL,
	"doctor_id" text NOT NULL,
	"clinic_ref" text NOT NULL,
	"name" text NOT NULL,
	"name_key" text NOT NULL,
	"birth_date" text NOT NULL,
	"sex" text NOT NULL,
	"contact" text,
	"holder_id" text NOT NULL,
	"claimed_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "clinic_patients_sex_check" CHECK ("clinic_patients"."sex" in ('female', 'male', 'other', 'unknown'))
);
--> statement-breakpoint
ALTER TABLE "consultations" ADD COLUMN "clinic_patient_id" text;--> statement-breakpoint
ALTER TABLE "clinic_invitations" ADD CONSTRAINT "clinic_invitations_clinic_patient_id_clinic_patients_id_fk" FOREIGN KEY ("clinic_patient_id") REFERENCES "public"."clinic_patients"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "clinic_invitations" ADD CONSTRAINT "clinic_invitations_used_by_users_id_fk" FOREIGN KEY ("used_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "clinic_patients" ADD CONSTRAINT "clinic_patients_doctor_id_users_id_fk" FOREIGN KEY ("doctor_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "clinic_patients" ADD CONSTRAINT "clinic_patients_holder_id_users_id_fk" FOREIGN KEY ("holder_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "clinic_invitations_patient_idx" ON "clinic_invitations" USING btree ("clinic_patient_id");--> statement-breakpoint
CREATE UNIQUE INDEX "clinic_patients_doctor_ref_unique" ON "clinic_patients" USING btree ("doctor_id",lower("clinic_ref"));--> statement-breakpoint
CREATE INDEX "clinic_patients_doctor_name_idx" ON "clinic_patients" USING btree ("doctor_id","name_key");--> statement-breakpoint
CREATE INDEX "clinic_patients_holder_idx" ON "clinic_patients" USING btree ("holder_id");--> statement-breakpoint
ALTER TABLE "consultations" ADD CONSTRAINT "consultations_clinic_patient_id_clinic_patients_id_fk" FOREIGN KEY ("clinic_patient_id") REFERENCES "public"."clinic_patients"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "consultations_clinic_patient_idx" ON "consultations" USING btree ("clinic_patient_id");