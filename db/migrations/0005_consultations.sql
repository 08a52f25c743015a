CREATE TABLE `consultations` (
	`id` text PRIMARY KEY NOT NULL,
	`analysis_id` text NOT NULL,
	`patient_id` text NOT NULL,
	`doctor_profile_id` text NOT NULL,
	`status` text DEFAULT 'requested' NOT NULL,
	`message` text NOT NULL,
	`age_bracket` text,
	`consent_at` integer NOT NULL,
	`decline_reason` text,
	`doctor_class` text,
	`recommendations` text,
	`urgency` text,
	`created_at` integer NOT NULL,
	`accepted_at` integer,
	`declined_at` integer,
	`answered_at` integer,
	`closed_at` integer,
	`withdrawn_at` integer,
	`revoked_at` integer,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`analysis_id`) REFERENCES `analyses`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`patient_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`doctor_profile_id`) REFERENCES `doctor_profiles`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "consultations_status_check" CHECK("consultations"."status" in ('requested', 'accepted', 'declined', 'answered', 'closed', 'withdrawn'))
);
--> statement-breakpoint
CREATE INDEX `consultations_doctor_idx` ON `consultations` (`doctor_profile_id`,`status`);--> statement-breakpoint
CREATE INDEX `consultations_patient_idx` ON `consultations` (`patient_id`);--> statement-breakpoint
CREATE INDEX `consultations_analysis_idx` ON `consultations` (`analysis_id`);