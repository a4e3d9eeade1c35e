CREATE TABLE `case_notes` (
	`id` text PRIMARY KEY NOT NULL,
	`human_id` integer NOT NULL,
	`staff_id` text NOT NULL,
	`note_sealed` blob NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `case_notes_human` ON `case_notes` (`human_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `identity_confirmations` (
	`id` text PRIMARY KEY NOT NULL,
	`human_id` integer NOT NULL,
	`staff_id` text NOT NULL,
	`reason` text NOT NULL,
	`reason_text_sealed` blob,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `identity_confirmations_human` ON `identity_confirmations` (`human_id`,`expires_at`);