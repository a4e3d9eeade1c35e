CREATE INDEX `member_accounts_password_changed` ON `member_accounts` (`password_changed_at`) WHERE password_changed_at is not null;--> statement-breakpoint
CREATE INDEX `member_accounts_details_confirmed` ON `member_accounts` (`details_confirmed_at`) WHERE details_confirmed_at is not null;--> statement-breakpoint
CREATE INDEX `member_accounts_ready` ON `member_accounts` (`ready_at`) WHERE ready_at is not null;--> statement-breakpoint
CREATE INDEX `notifications_state_channel` ON `notifications` (`state`,`channel`,`created_at`);--> statement-breakpoint
CREATE INDEX `notifications_letter_code_used` ON `notifications` (`letter_code_used_at`,`human_id`) WHERE letter_code_used_at is not null;--> statement-breakpoint
CREATE INDEX `subjects_cohort_human` ON `subjects` (`cohort`,`human_id`,`exposed_categories`);