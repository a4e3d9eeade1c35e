-- The return_requests of 0001 was a placeholder nothing wrote to: replaced whole.
DROP TABLE `return_requests`;
--> statement-breakpoint
CREATE TABLE `return_requests` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`reference` text NOT NULL,
	`human_id` integer,
	`email_index` blob NOT NULL,
	`reason` text NOT NULL,
	`status` text DEFAULT 'new' NOT NULL,
	`details_sealed` blob NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`human_id`) REFERENCES `subjects`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `return_requests_reference_unique` ON `return_requests` (`reference`);
--> statement-breakpoint
CREATE INDEX `return_requests_human` ON `return_requests` (`human_id`);
--> statement-breakpoint
CREATE INDEX `return_requests_queue` ON `return_requests` (`status`,`created_at`);
--> statement-breakpoint
CREATE INDEX `return_requests_email` ON `return_requests` (`email_index`);
--> statement-breakpoint
CREATE TABLE `return_drafts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`token_hash` blob NOT NULL,
	`email_index` blob,
	`details_sealed` blob,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `return_drafts_token_hash_unique` ON `return_drafts` (`token_hash`);
--> statement-breakpoint
CREATE TABLE `return_events` (
	`id` text PRIMARY KEY NOT NULL,
	`request_id` integer NOT NULL,
	`kind` text NOT NULL,
	`status` text,
	`staff_id` text,
	`note_sealed` blob,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`request_id`) REFERENCES `return_requests`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `return_events_request` ON `return_events` (`request_id`,`created_at`);
--> statement-breakpoint
CREATE TABLE `return_photos` (
	`id` text PRIMARY KEY NOT NULL,
	`draft_id` integer,
	`request_id` integer,
	`media_type` text NOT NULL,
	`width` integer NOT NULL,
	`height` integer NOT NULL,
	`byte_length` integer NOT NULL,
	`photo_sealed` blob NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`draft_id`) REFERENCES `return_drafts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`request_id`) REFERENCES `return_requests`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `return_photos_draft` ON `return_photos` (`draft_id`);
--> statement-breakpoint
CREATE INDEX `return_photos_request` ON `return_photos` (`request_id`);
