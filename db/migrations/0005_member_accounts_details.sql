CREATE TABLE `detail_confirmations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`subject_id` integer NOT NULL,
	`changed_fields` text NOT NULL,
	`confirmed_at` integer NOT NULL,
	FOREIGN KEY (`subject_id`) REFERENCES `subjects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `detail_confirmations_subject` ON `detail_confirmations` (`subject_id`);--> statement-breakpoint
ALTER TABLE `member_accounts` ADD `password_changed_at` integer;--> statement-breakpoint
ALTER TABLE `member_accounts` ADD `details_sealed` blob;--> statement-breakpoint
ALTER TABLE `member_accounts` ADD `email_index` blob;--> statement-breakpoint
ALTER TABLE `member_accounts` ADD `pending_email_sealed` blob;--> statement-breakpoint
CREATE INDEX `member_accounts_email` ON `member_accounts` (`email_index`);