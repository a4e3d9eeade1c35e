CREATE TABLE `human_steps` (
	`human_id` integer NOT NULL,
	`step` text NOT NULL,
	`day` integer NOT NULL,
	PRIMARY KEY(`human_id`, `step`)
);
--> statement-breakpoint
CREATE TABLE `progress_tallies` (
	`series` text NOT NULL,
	`day` integer NOT NULL,
	`tally` integer NOT NULL,
	PRIMARY KEY(`series`, `day`)
);
--> statement-breakpoint
-- A step's tally follows human_steps: a person counts once per step, on their first day of it.
CREATE TRIGGER `progress_step_added` AFTER INSERT ON `human_steps` BEGIN
  INSERT INTO progress_tallies (series, day, tally) VALUES (new.step, new.day, 1)
    ON CONFLICT (series, day) DO UPDATE SET tally = tally + 1;
END;--> statement-breakpoint
CREATE TRIGGER `progress_step_moved` AFTER UPDATE OF `day` ON `human_steps` BEGIN
  UPDATE progress_tallies SET tally = tally - 1 WHERE series = old.step AND day = old.day;
  INSERT INTO progress_tallies (series, day, tally) VALUES (new.step, new.day, 1)
    ON CONFLICT (series, day) DO UPDATE SET tally = tally + 1;
END;--> statement-breakpoint
CREATE TRIGGER `progress_step_removed` AFTER DELETE ON `human_steps` BEGIN
  UPDATE progress_tallies SET tally = tally - 1 WHERE series = old.step AND day = old.day;
END;--> statement-breakpoint
-- What was there before the tallies: counted once, as the dashboard used to count at each view.
INSERT INTO human_steps (human_id, step, day)
  SELECT human_id, 'checked', (min(at) + 32400000) / 86400000 FROM (
    SELECT human_id, letter_code_used_at AS at FROM notifications WHERE letter_code_used_at IS NOT NULL
    UNION ALL
    SELECT s.human_id, m.password_changed_at FROM member_accounts m JOIN subjects s ON s.id = m.subject_id
      WHERE m.password_changed_at IS NOT NULL
    UNION ALL
    SELECT s.human_id, m.details_confirmed_at FROM member_accounts m JOIN subjects s ON s.id = m.subject_id
      WHERE m.details_confirmed_at IS NOT NULL
    UNION ALL
    SELECT human_id, created_at FROM sessions WHERE human_id IS NOT NULL
  ) GROUP BY human_id;--> statement-breakpoint
INSERT INTO human_steps (human_id, step, day)
  SELECT s.human_id, 'password_reset', (min(m.password_changed_at) + 32400000) / 86400000
  FROM member_accounts m JOIN subjects s ON s.id = m.subject_id
  WHERE m.password_changed_at IS NOT NULL GROUP BY s.human_id;--> statement-breakpoint
INSERT INTO human_steps (human_id, step, day)
  SELECT s.human_id, 'details_confirmed', (min(m.details_confirmed_at) + 32400000) / 86400000
  FROM member_accounts m JOIN subjects s ON s.id = m.subject_id
  WHERE m.details_confirmed_at IS NOT NULL GROUP BY s.human_id;--> statement-breakpoint
INSERT INTO human_steps (human_id, step, day)
  SELECT s.human_id, 'ready', (min(m.ready_at) + 32400000) / 86400000
  FROM member_accounts m JOIN subjects s ON s.id = m.subject_id
  WHERE m.ready_at IS NOT NULL GROUP BY s.human_id;--> statement-breakpoint
INSERT INTO progress_tallies (series, day, tally)
  SELECT 'notified:' || channel, (created_at + 32400000) / 86400000, count(*)
  FROM notifications WHERE state = 'issued' GROUP BY 1, 2;--> statement-breakpoint
-- Notices, and only notices, go out at bulk priority (1).
INSERT INTO progress_tallies (series, day, tally)
  SELECT 'notice_email:' || state, (created_at + 32400000) / 86400000, count(*)
  FROM outbox_messages WHERE priority = 1 AND state IN ('sent', 'failed') GROUP BY 1, 2;--> statement-breakpoint
-- Notices issued, per channel, on the day the notification was made.
CREATE TRIGGER `progress_notice_added` AFTER INSERT ON `notifications` WHEN new.state = 'issued' BEGIN
  INSERT INTO progress_tallies (series, day, tally)
    VALUES ('notified:' || new.channel, (new.created_at + 32400000) / 86400000, 1)
    ON CONFLICT (series, day) DO UPDATE SET tally = tally + 1;
END;--> statement-breakpoint
CREATE TRIGGER `progress_notice_changed` AFTER UPDATE OF `state`, `channel`, `created_at` ON `notifications`
  WHEN old.state = 'issued' OR new.state = 'issued' BEGIN
  UPDATE progress_tallies SET tally = tally - 1
    WHERE old.state = 'issued' AND series = 'notified:' || old.channel
      AND day = (old.created_at + 32400000) / 86400000;
  INSERT INTO progress_tallies (series, day, tally)
    SELECT 'notified:' || new.channel, (new.created_at + 32400000) / 86400000, 1 WHERE new.state = 'issued'
    ON CONFLICT (series, day) DO UPDATE SET tally = tally + 1;
END;--> statement-breakpoint
CREATE TRIGGER `progress_notice_removed` AFTER DELETE ON `notifications` WHEN old.state = 'issued' BEGIN
  UPDATE progress_tallies SET tally = tally - 1
    WHERE series = 'notified:' || old.channel AND day = (old.created_at + 32400000) / 86400000;
END;--> statement-breakpoint
-- Notice e-mails (bulk priority) the mail server took, or refused for good.
CREATE TRIGGER `progress_notice_email_added` AFTER INSERT ON `outbox_messages`
  WHEN new.priority = 1 AND new.state IN ('sent', 'failed') BEGIN
  INSERT INTO progress_tallies (series, day, tally)
    VALUES ('notice_email:' || new.state, (new.created_at + 32400000) / 86400000, 1)
    ON CONFLICT (series, day) DO UPDATE SET tally = tally + 1;
END;--> statement-breakpoint
CREATE TRIGGER `progress_notice_email_changed` AFTER UPDATE OF `state`, `priority`, `created_at` ON `outbox_messages`
  WHEN (old.priority = 1 AND old.state IN ('sent', 'failed')) OR (new.priority = 1 AND new.state IN ('sent', 'failed')) BEGIN
  UPDATE progress_tallies SET tally = tally - 1
    WHERE old.priority = 1 AND old.state IN ('sent', 'failed') AND series = 'notice_email:' || old.state
      AND day = (old.created_at + 32400000) / 86400000;
  INSERT INTO progress_tallies (series, day, tally)
    SELECT 'notice_email:' || new.state, (new.created_at + 32400000) / 86400000, 1
    WHERE new.priority = 1 AND new.state IN ('sent', 'failed')
    ON CONFLICT (series, day) DO UPDATE SET tally = tally + 1;
END;--> statement-breakpoint
CREATE TRIGGER `progress_notice_email_removed` AFTER DELETE ON `outbox_messages`
  WHEN old.priority = 1 AND old.state IN ('sent', 'failed') BEGIN
  UPDATE progress_tallies SET tally = tally - 1
    WHERE series = 'notice_email:' || old.state AND day = (old.created_at + 32400000) / 86400000;
END;--> statement-breakpoint
-- Proving who one is: the letter code's first use, a verified session (made verified, or
-- made so), a new password, confirmed details. The earliest day counts.
CREATE TRIGGER `progress_letter_code_used` AFTER UPDATE OF `letter_code_used_at` ON `notifications`
  WHEN new.letter_code_used_at IS NOT NULL BEGIN
  INSERT INTO human_steps (human_id, step, day)
    VALUES (new.human_id, 'checked', (new.letter_code_used_at + 32400000) / 86400000)
    ON CONFLICT (human_id, step) DO UPDATE SET day = excluded.day WHERE excluded.day < day;
END;--> statement-breakpoint
CREATE TRIGGER `progress_session_verified` AFTER INSERT ON `sessions` WHEN new.human_id IS NOT NULL BEGIN
  INSERT INTO human_steps (human_id, step, day)
    VALUES (new.human_id, 'checked', (new.created_at + 32400000) / 86400000)
    ON CONFLICT (human_id, step) DO UPDATE SET day = excluded.day WHERE excluded.day < day;
END;--> statement-breakpoint
CREATE TRIGGER `progress_session_made_verified` AFTER UPDATE OF `human_id` ON `sessions`
  WHEN new.human_id IS NOT NULL BEGIN
  INSERT INTO human_steps (human_id, step, day)
    VALUES (new.human_id, 'checked', (new.created_at + 32400000) / 86400000)
    ON CONFLICT (human_id, step) DO UPDATE SET day = excluded.day WHERE excluded.day < day;
END;--> statement-breakpoint
-- A member's steps, as the person whose record it is. An account row made with a step already
-- taken (only tests and copies do) counts like a step taken later.
CREATE TRIGGER `progress_member_steps_added` AFTER INSERT ON `member_accounts`
  WHEN new.password_changed_at IS NOT NULL OR new.details_confirmed_at IS NOT NULL OR new.ready_at IS NOT NULL BEGIN
  INSERT INTO human_steps (human_id, step, day)
    SELECT s.human_id, step.name, (step.at + 32400000) / 86400000 FROM subjects s, (
      SELECT 'checked' AS name, new.password_changed_at AS at
      UNION ALL SELECT 'checked', new.details_confirmed_at
      UNION ALL SELECT 'password_reset', new.password_changed_at
      UNION ALL SELECT 'details_confirmed', new.details_confirmed_at
      UNION ALL SELECT 'ready', new.ready_at
    ) step WHERE s.id = new.subject_id AND step.at IS NOT NULL
    ON CONFLICT (human_id, step) DO UPDATE SET day = excluded.day WHERE excluded.day < day;
END;--> statement-breakpoint
CREATE TRIGGER `progress_password_reset` AFTER UPDATE OF `password_changed_at` ON `member_accounts`
  WHEN new.password_changed_at IS NOT NULL BEGIN
  INSERT INTO human_steps (human_id, step, day)
    SELECT s.human_id, step.name, (new.password_changed_at + 32400000) / 86400000
    FROM subjects s, (SELECT 'checked' AS name UNION ALL SELECT 'password_reset') step WHERE s.id = new.subject_id
    ON CONFLICT (human_id, step) DO UPDATE SET day = excluded.day WHERE excluded.day < day;
END;--> statement-breakpoint
CREATE TRIGGER `progress_details_confirmed` AFTER UPDATE OF `details_confirmed_at` ON `member_accounts`
  WHEN new.details_confirmed_at IS NOT NULL BEGIN
  INSERT INTO human_steps (human_id, step, day)
    SELECT s.human_id, step.name, (new.details_confirmed_at + 32400000) / 86400000
    FROM subjects s, (SELECT 'checked' AS name UNION ALL SELECT 'details_confirmed') step WHERE s.id = new.subject_id
    ON CONFLICT (human_id, step) DO UPDATE SET day = excluded.day WHERE excluded.day < day;
END;--> statement-breakpoint
-- Ready counts those ready now: readiness withdrawn (details changed again) takes the person
-- out, unless another of their member records is still ready.
CREATE TRIGGER `progress_ready` AFTER UPDATE OF `ready_at` ON `member_accounts`
  WHEN new.ready_at IS NOT NULL BEGIN
  INSERT INTO human_steps (human_id, step, day)
    SELECT s.human_id, 'ready', (new.ready_at + 32400000) / 86400000 FROM subjects s WHERE s.id = new.subject_id
    ON CONFLICT (human_id, step) DO UPDATE SET day = excluded.day WHERE excluded.day < day;
END;--> statement-breakpoint
CREATE TRIGGER `progress_ready_withdrawn` AFTER UPDATE OF `ready_at` ON `member_accounts`
  WHEN old.ready_at IS NOT NULL AND new.ready_at IS NULL BEGIN
  DELETE FROM human_steps WHERE step = 'ready'
    AND human_id = (SELECT human_id FROM subjects WHERE id = new.subject_id)
    AND NOT EXISTS (
      SELECT 1 FROM subjects s JOIN member_accounts m ON m.subject_id = s.id
      WHERE s.human_id = human_steps.human_id AND m.ready_at IS NOT NULL
    );
END;
