DROP INDEX `outbox_due`;--> statement-breakpoint
ALTER TABLE `outbox_messages` ADD `priority` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
CREATE INDEX `outbox_due` ON `outbox_messages` (`state`,`priority`,`next_attempt_at`);--> statement-breakpoint
ALTER TABLE `verification_challenges` ADD `consecutive_failures` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `verification_expiry` ON `verification_challenges` (`expires_at`);--> statement-breakpoint
UPDATE `outbox_messages` SET `priority` = 0 WHERE `message_id` IN (SELECT `id` FROM `messages` WHERE `purpose` <> 'notification');--> statement-breakpoint
UPDATE `verification_challenges` SET `consecutive_failures` = `failures`;
