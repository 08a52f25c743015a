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
CREATE INDEX `lab_datasets_created_idx` ON `lab_datasets` (`created_at`);--> statement-breakpoint
CREATE TABLE `lab_job_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`job_id` text NOT NULL,
	`kind` text NOT NULL,
	`data` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`job_id`) REFERENCES `lab_jobs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `lab_job_events_job_idx` ON `lab_job_events` (`job_id`,`id`);--> statement-breakpoint
CREATE TABLE `lab_jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`dataset_id` text,
	`dataset_name` text NOT NULL,
	`version` text NOT NULL,
	`status` text DEFAULT 'queued' NOT NULL,
	`recipe` text NOT NULL,
	`epoch` integer DEFAULT 0 NOT NULL,
	`runner` text,
	`cancel_requested` integer DEFAULT false NOT NULL,
	`error` text,
	`created_by` text,
	`created_at` integer NOT NULL,
	`started_at` integer,
	`finished_at` integer,
	FOREIGN KEY (`dataset_id`) REFERENCES `lab_datasets`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "lab_jobs_status_check" CHECK("lab_jobs"."status" in ('queued', 'running', 'succeeded', 'failed', 'cancelled'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `lab_jobs_version_unique` ON `lab_jobs` (`version`);--> statement-breakpoint
CREATE INDEX `lab_jobs_status_created_idx` ON `lab_jobs` (`status`,`created_at`);