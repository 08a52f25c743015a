ALTER TABLE "doctor_profiles" ADD COLUMN "board_certification_year" integer;--> statement-breakpoint
ALTER TABLE "doctor_profiles" ADD COLUMN "practice_start_year" integer;