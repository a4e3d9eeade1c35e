-- Notifications and the outbox were empty until this migration (nothing wrote them yet):
-- they are recreated around the new messages table instead of copied.
DROP TABLE `outbox_messages`;--> statement-breakpoint
DROP TABLE `notifications`;--> statement-breakpoint
CREATE TABLE `messages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`reference_index` blob NOT NULL,
	`human_id` integer NOT NULL,
	`channel` text NOT NULL,
	`purpose` text NOT NULL,
	`address_sealed` blob,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`human_id`) REFERENCES `subjects`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `messages_reference` ON `messages` (`reference_index`);--> statement-breakpoint
CREATE INDEX `messages_human` ON `messages` (`human_id`);--> statement-breakpoint
CREATE TABLE `notifications` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`human_id` integer NOT NULL,
	`channel` text NOT NULL,
	`message_id` integer NOT NULL,
	`state` text DEFAULT 'issued' NOT NULL,
	`letter_code_index` blob,
	`letter_code_used_at` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`human_id`) REFERENCES `subjects`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`message_id`) REFERENCES `messages`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notifications_human` ON `notifications` (`human_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `notifications_letter_code` ON `notifications` (`letter_code_index`);--> statement-breakpoint
CREATE TABLE `outbox_messages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`message_id` integer NOT NULL,
	`content_sealed` blob,
	`state` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`lease_until` integer,
	`last_error` text,
	`sent_at` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`message_id`) REFERENCES `messages`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `outbox_due` ON `outbox_messages` (`state`,`next_attempt_at`);
