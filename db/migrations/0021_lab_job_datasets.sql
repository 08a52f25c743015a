CREATE TABLE `lab_job_datasets` (
	`job_id` text NOT NULL,
	`position` integer NOT NULL,
	`dataset_id` text,
	`dataset_name` text NOT NULL,
	PRIMARY KEY(`job_id`, `position`),
	FOREIGN KEY (`job_id`) REFERENCES `lab_jobs`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`dataset_id`) REFERENCES `lab_datasets`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `lab_job_datasets_dataset_idx` ON `lab_job_datasets` (`dataset_id`);--> statement-breakpoint
-- The jobs so far trained on one dataset each.
INSERT INTO `lab_job_datasets` (`job_id`, `position`, `dataset_id`, `dataset_name`) SELECT `id`, 0, `dataset_id`, `dataset_name` FROM `lab_jobs`;
