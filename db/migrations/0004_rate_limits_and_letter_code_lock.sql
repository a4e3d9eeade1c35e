CREATE TABLE `rate_limit_counters` (
	`bucket` text NOT NULL,
	`key_index` blob NOT NULL,
	`window_start` integer NOT NULL,
	`count` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`bucket`, `key_index`, `window_start`)
);
--> statement-breakpoint
CREATE INDEX `rate_limit_counters_window` ON `rate_limit_counters` (`window_start`);--> statement-breakpoint
ALTER TABLE `notifications` ADD `letter_code_failures` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `notifications` ADD `letter_code_locked_at` integer;--> statement-breakpoint
ALTER TABLE `sessions` ADD `challenge` text;