ALTER TABLE `staff_sessions` ADD `second_factor_at` integer;--> statement-breakpoint
ALTER TABLE `staff_sessions` ADD `totp_enrolment_sealed` blob;--> statement-breakpoint
ALTER TABLE `staff_sessions` ADD `webauthn_challenge` text;