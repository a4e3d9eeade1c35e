ALTER TABLE `return_events` ADD `arrival` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `return_photos` ADD `arrival` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- The rows already there are numbered in the order they were listed in: their moment, then rowid.
UPDATE `return_events` SET `arrival` = `numbered`.`n`
  FROM (SELECT rowid AS `row`, row_number() OVER (ORDER BY `created_at`, rowid) AS `n` FROM `return_events`) AS `numbered`
  WHERE `numbered`.`row` = `return_events`.rowid;--> statement-breakpoint
UPDATE `return_photos` SET `arrival` = `numbered`.`n`
  FROM (SELECT rowid AS `row`, row_number() OVER (ORDER BY `created_at`, rowid) AS `n` FROM `return_photos`) AS `numbered`
  WHERE `numbered`.`row` = `return_photos`.rowid;
