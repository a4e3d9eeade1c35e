CREATE TABLE `member_required_actions` (
	`subject_id` integer NOT NULL,
	`action` text NOT NULL,
	PRIMARY KEY(`subject_id`, `action`),
	FOREIGN KEY (`subject_id`) REFERENCES `member_accounts`(`subject_id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `member_required_actions` (`subject_id`, `action`) SELECT DISTINCT `member_accounts`.`subject_id`, `open_action`.`value` FROM `member_accounts`, json_each(`member_accounts`.`open_actions`) AS `open_action`;--> statement-breakpoint
ALTER TABLE `member_accounts` DROP COLUMN `open_actions`;