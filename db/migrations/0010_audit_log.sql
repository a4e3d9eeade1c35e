CREATE TABLE `audit_chain_head` (
	`id` integer PRIMARY KEY NOT NULL,
	`last_sequence` integer NOT NULL,
	`last_hash` blob NOT NULL
);
--> statement-breakpoint
CREATE TABLE `audit_log` (
	`sequence` integer PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`actor_kind` text NOT NULL,
	`actor_id` text NOT NULL,
	`action` text NOT NULL,
	`target_kind` text,
	`target_id` text,
	`outcome` text NOT NULL,
	`client_ip_index` blob,
	`detail` text NOT NULL,
	`previous_hash` blob NOT NULL,
	`hash` blob NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_log_actor` ON `audit_log` (`actor_kind`,`actor_id`,`sequence`);--> statement-breakpoint
CREATE INDEX `audit_log_action` ON `audit_log` (`action`,`sequence`);--> statement-breakpoint
CREATE INDEX `audit_log_target` ON `audit_log` (`target_kind`,`target_id`,`sequence`);--> statement-breakpoint
CREATE INDEX `audit_log_at` ON `audit_log` (`at`);--> statement-breakpoint
DROP TABLE `audit_events`;--> statement-breakpoint
-- Hand-written: the chain's one head row, so every append finds a row to lock.
INSERT INTO `audit_chain_head` (`id`, `last_sequence`, `last_hash`) VALUES (1, 0, zeroblob(32));
--> statement-breakpoint
-- Hand-written: the portal's own code can only append. Anyone who can write the file can drop these,
-- which is why the chain and the signed checkpoints exist; these stop a mistake, not an attacker.
CREATE TRIGGER `audit_log_no_update` BEFORE UPDATE ON `audit_log`
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
--> statement-breakpoint
CREATE TRIGGER `audit_log_no_delete` BEFORE DELETE ON `audit_log`
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
