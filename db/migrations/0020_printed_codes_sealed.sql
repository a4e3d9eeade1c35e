ALTER TABLE `messages` ADD `reference_sealed` blob;--> statement-breakpoint
ALTER TABLE `notifications` ADD `letter_code_sealed` blob;