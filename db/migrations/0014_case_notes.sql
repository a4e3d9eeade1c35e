CREATE TABLE `case_notes` (
	`id` text PRIMARY KEY NOT NULL,
	`human_id` integer NOT NULL,
	`staff_id` text NOT NULL,
	`note_sealed` blob NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `case_notes_human` ON `case_notes` (`human_id`,`created_at`);