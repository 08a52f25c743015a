CREATE TABLE `lab_datasets` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`status` text DEFAULT 'staged' NOT NULL,
	`images` integer NOT NULL,
	`bytes` integer NOT NULL,
	`report` text NOT NULL,
	`uploaded_by` text,
	`accepted_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`uploaded_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "lab_datasets_status_check" CHECK("lab_datasets"."status" in ('staged', 'accepted'))
);
--> statement-breakpoint
CREATE INDEX `lab_datasets_created_idx` ON `lab_datasets` (`created_at`);