ALTER TABLE `doctor_profiles` ADD `board_certification_year` integer;--> statement-breakpoint
ALTER TABLE `doctor_profiles` ADD `practice_start_year` integer;