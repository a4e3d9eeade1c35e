CREATE TABLE `audit_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`actor_kind` text NOT NULL,
	`actor_id` integer,
	`action` text NOT NULL,
	`subject_id` integer,
	`detail` text,
	`previous_hash` blob,
	`hash` blob NOT NULL,
	FOREIGN KEY (`subject_id`) REFERENCES `subjects`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `member_accounts` (
	`subject_id` integer PRIMARY KEY NOT NULL,
	`legacy_password_sealed` blob,
	`password_hash` text,
	`open_actions` text DEFAULT '["reset_password","reconfirm_details"]' NOT NULL,
	`details_confirmed_at` integer,
	`ready_at` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`subject_id`) REFERENCES `subjects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `notifications` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`human_id` integer NOT NULL,
	`channel` text NOT NULL,
	`letter_code_index` blob,
	`message_ref_index` blob NOT NULL,
	`address_sealed` blob,
	`letter_code_used_at` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`human_id`) REFERENCES `subjects`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notifications_human` ON `notifications` (`human_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `notifications_letter_code` ON `notifications` (`letter_code_index`);--> statement-breakpoint
CREATE UNIQUE INDEX `notifications_message_ref` ON `notifications` (`message_ref_index`);--> statement-breakpoint
CREATE TABLE `outbox_messages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`notification_id` integer,
	`message_sealed` blob,
	`state` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`last_error` text,
	`sent_at` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`notification_id`) REFERENCES `notifications`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `outbox_due` ON `outbox_messages` (`state`,`next_attempt_at`);--> statement-breakpoint
CREATE TABLE `return_requests` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`human_id` integer NOT NULL,
	`reason` text NOT NULL,
	`request_sealed` blob NOT NULL,
	`status` text DEFAULT 'received' NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`human_id`) REFERENCES `subjects`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `return_requests_human` ON `return_requests` (`human_id`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id_hash` blob PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`human_id` integer,
	`staff_user_id` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`last_seen_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`human_id`) REFERENCES `subjects`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`staff_user_id`) REFERENCES `staff_users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `sessions_human` ON `sessions` (`human_id`);--> statement-breakpoint
CREATE TABLE `staff_users` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`login_index` blob NOT NULL,
	`profile_sealed` blob NOT NULL,
	`password_hash` text NOT NULL,
	`totp_secret_sealed` blob,
	`role` text NOT NULL,
	`disabled_at` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `staff_users_login` ON `staff_users` (`login_index`);--> statement-breakpoint
CREATE TABLE `stored_cards` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`subject_id` integer NOT NULL,
	`card_index` blob NOT NULL,
	`card_sealed` blob NOT NULL,
	`removed_at` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`subject_id`) REFERENCES `subjects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `stored_cards_card` ON `stored_cards` (`subject_id`,`card_index`);--> statement-breakpoint
CREATE TABLE `subjects` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`human_id` integer NOT NULL,
	`cohort` text NOT NULL,
	`natural_id_index` blob NOT NULL,
	`email_index` blob,
	`phone_index` blob,
	`kana_birth_index` blob,
	`exposed_categories` integer NOT NULL,
	`record_sealed` blob NOT NULL,
	`cohort_from` integer,
	`cohort_until` integer,
	`language` text DEFAULT 'ja' NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`human_id`) REFERENCES `subjects`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `subjects_natural_id` ON `subjects` (`cohort`,`natural_id_index`);--> statement-breakpoint
CREATE INDEX `subjects_email` ON `subjects` (`email_index`);--> statement-breakpoint
CREATE INDEX `subjects_phone` ON `subjects` (`phone_index`);--> statement-breakpoint
CREATE INDEX `subjects_kana_birth` ON `subjects` (`kana_birth_index`);--> statement-breakpoint
CREATE INDEX `subjects_human` ON `subjects` (`human_id`);--> statement-breakpoint
CREATE TABLE `verification_challenges` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`type` text NOT NULL,
	`target_index` blob NOT NULL,
	`code_hash` blob NOT NULL,
	`failures` integer DEFAULT 0 NOT NULL,
	`expires_at` integer NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `verification_target` ON `verification_challenges` (`type`,`target_index`);--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_portal_meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
INSERT INTO `__new_portal_meta`("key", "value", "created_at", "updated_at") SELECT "key", "value", "created_at", "updated_at" FROM `portal_meta`;--> statement-breakpoint
DROP TABLE `portal_meta`;--> statement-breakpoint
ALTER TABLE `__new_portal_meta` RENAME TO `portal_meta`;--> statement-breakpoint
PRAGMA foreign_keys=ON;