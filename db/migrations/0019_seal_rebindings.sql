CREATE TABLE `seal_rebindings` (
	`sealed_column` text PRIMARY KEY NOT NULL,
	`after_key` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
-- Only columns that hold values sealed before this migration need sealing again: a new database has none.
INSERT INTO seal_rebindings (sealed_column)
  SELECT 'subjects.record_sealed' WHERE EXISTS (SELECT 1 FROM subjects)
  UNION ALL SELECT 'member_accounts.details_sealed'
    WHERE EXISTS (SELECT 1 FROM member_accounts WHERE details_sealed IS NOT NULL)
  UNION ALL SELECT 'member_accounts.pending_email_sealed'
    WHERE EXISTS (SELECT 1 FROM member_accounts WHERE pending_email_sealed IS NOT NULL)
  UNION ALL SELECT 'stored_cards.card_sealed' WHERE EXISTS (SELECT 1 FROM stored_cards)
  UNION ALL SELECT 'messages.address_sealed' WHERE EXISTS (SELECT 1 FROM messages WHERE address_sealed IS NOT NULL);
