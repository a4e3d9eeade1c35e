CREATE TABLE `printer_reprints` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`message_id` integer NOT NULL,
	`kind` text NOT NULL,
	`row_sealed` blob,
	`written_at` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`message_id`) REFERENCES `messages`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `printer_reprints_message` ON `printer_reprints` (`message_id`);--> statement-breakpoint
CREATE INDEX `printer_reprints_waiting` ON `printer_reprints` (`id`) WHERE written_at is null;