CREATE TABLE `clinic_invitations` (
	`id` text PRIMARY KEY NOT NULL,
	`clinic_patient_id` text NOT NULL,
	`token_hash` text NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`used_by` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`clinic_patient_id`) REFERENCES `clinic_patients`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`used_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `clinic_invitations_token_hash_unique` ON `clinic_invitations` (`token_hash`);--> statement-breakpoint
CREATE INDEX `clinic_invitations_patient_idx` ON `clinic_invitations` (`clinic_patient_id`);--> statement-breakpoint
CREATE TABLE `clinic_patients` (
	`id` text PRIMARY KEY NOT NULL,
	`doctor_id` text NOT NULL,
	`clinic_ref` text NOT NULL,
	`name` text NOT NULL,
	`name_key` text NOT NULL,
	`birth_date` text NOT NULL,
	`sex` text NOT NULL,
	`contact` text,
	`holder_id` text NOT NULL,
	`claimed_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`doctor_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`holder_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "clinic_patients_sex_check" CHECK("clinic_patients"."sex" in ('female', 'male', 'other', 'unknown'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `clinic_patients_doctor_ref_unique` ON `clinic_patients` (`doctor_id`,lower("clinic_ref"));--> statement-breakpoint
CREATE INDEX `clinic_patients_doctor_name_idx` ON `clinic_patients` (`doctor_id`,`name_key`);--> statement-breakpoint
CREATE INDEX `clinic_patients_holder_idx` ON `clinic_patients` (`holder_id`);--> statement-breakpoint
ALTER TABLE `consultations` ADD `clinic_patient_id` text REFERENCES clinic_patients(id) ON DELETE set null;--> statement-breakpoint
CREATE INDEX `consultations_clinic_patient_idx` ON `consultations` (`clinic_patient_id`);