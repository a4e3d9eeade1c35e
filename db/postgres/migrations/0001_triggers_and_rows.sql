-- What SQLite's migrations do beyond tables and indexes that a new database still needs, in
-- PostgreSQL's words: the audit chain's head row and the audit log's refusals (SQLite 0010), and
-- the progress triggers (SQLite 0017). Their backfills are left out: a PostgreSQL database starts
-- empty, or from a copy that brings the tallies with the rows they count.

-- The chain's one head row, so every append finds a row to lock.
INSERT INTO audit_chain_head (id, last_sequence, last_hash) VALUES (1, 0, decode(repeat('00', 32), 'hex'));
--> statement-breakpoint
-- The portal's own code can only append. Whoever owns the tables can drop these, which is why the
-- chain and the signed checkpoints exist; these stop a mistake, not an attacker.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
--> statement-breakpoint

-- The progress tallies. A Japan day is (milliseconds + 9 hours) / 1 day: bigint division truncates
-- as SQLite's integer division does, so both backends give every moment the same day number.

-- A step's tally follows human_steps: a person counts once per step, on their first day of it.
CREATE FUNCTION progress_step_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO progress_tallies (series, day, tally) VALUES (new.step, new.day, 1)
    ON CONFLICT (series, day) DO UPDATE SET tally = progress_tallies.tally + 1;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER progress_step_added AFTER INSERT ON human_steps
  FOR EACH ROW EXECUTE FUNCTION progress_step_added();
--> statement-breakpoint
CREATE FUNCTION progress_step_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE progress_tallies SET tally = tally - 1 WHERE series = old.step AND day = old.day;
  INSERT INTO progress_tallies (series, day, tally) VALUES (new.step, new.day, 1)
    ON CONFLICT (series, day) DO UPDATE SET tally = progress_tallies.tally + 1;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER progress_step_moved AFTER UPDATE OF day ON human_steps
  FOR EACH ROW EXECUTE FUNCTION progress_step_moved();
--> statement-breakpoint
CREATE FUNCTION progress_step_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE progress_tallies SET tally = tally - 1 WHERE series = old.step AND day = old.day;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER progress_step_removed AFTER DELETE ON human_steps
  FOR EACH ROW EXECUTE FUNCTION progress_step_removed();
--> statement-breakpoint

-- Notices issued, per channel, on the day the notification was made.
CREATE FUNCTION progress_notice_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO progress_tallies (series, day, tally)
    VALUES ('notified:' || new.channel, (new.created_at + 32400000) / 86400000, 1)
    ON CONFLICT (series, day) DO UPDATE SET tally = progress_tallies.tally + 1;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER progress_notice_added AFTER INSERT ON notifications
  FOR EACH ROW WHEN (new.state = 'issued') EXECUTE FUNCTION progress_notice_added();
--> statement-breakpoint
CREATE FUNCTION progress_notice_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE progress_tallies SET tally = tally - 1
    WHERE old.state = 'issued' AND series = 'notified:' || old.channel
      AND day = (old.created_at + 32400000) / 86400000;
  INSERT INTO progress_tallies (series, day, tally)
    SELECT 'notified:' || new.channel, (new.created_at + 32400000) / 86400000, 1 WHERE new.state = 'issued'
    ON CONFLICT (series, day) DO UPDATE SET tally = progress_tallies.tally + 1;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER progress_notice_changed AFTER UPDATE OF state, channel, created_at ON notifications
  FOR EACH ROW WHEN (old.state = 'issued' OR new.state = 'issued') EXECUTE FUNCTION progress_notice_changed();
--> statement-breakpoint
CREATE FUNCTION progress_notice_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE progress_tallies SET tally = tally - 1
    WHERE series = 'notified:' || old.channel AND day = (old.created_at + 32400000) / 86400000;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER progress_notice_removed AFTER DELETE ON notifications
  FOR EACH ROW WHEN (old.state = 'issued') EXECUTE FUNCTION progress_notice_removed();
--> statement-breakpoint

-- Notice e-mails (bulk priority, 1: notices and only notices) the mail server took, or refused for
-- good, on the day they were queued.
CREATE FUNCTION progress_notice_email_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO progress_tallies (series, day, tally)
    VALUES ('notice_email:' || new.state, (new.created_at + 32400000) / 86400000, 1)
    ON CONFLICT (series, day) DO UPDATE SET tally = progress_tallies.tally + 1;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER progress_notice_email_added AFTER INSERT ON outbox_messages
  FOR EACH ROW WHEN (new.priority = 1 AND new.state IN ('sent', 'failed'))
  EXECUTE FUNCTION progress_notice_email_added();
--> statement-breakpoint
CREATE FUNCTION progress_notice_email_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE progress_tallies SET tally = tally - 1
    WHERE old.priority = 1 AND old.state IN ('sent', 'failed') AND series = 'notice_email:' || old.state
      AND day = (old.created_at + 32400000) / 86400000;
  INSERT INTO progress_tallies (series, day, tally)
    SELECT 'notice_email:' || new.state, (new.created_at + 32400000) / 86400000, 1
    WHERE new.priority = 1 AND new.state IN ('sent', 'failed')
    ON CONFLICT (series, day) DO UPDATE SET tally = progress_tallies.tally + 1;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER progress_notice_email_changed AFTER UPDATE OF state, priority, created_at ON outbox_messages
  FOR EACH ROW WHEN ((old.priority = 1 AND old.state IN ('sent', 'failed'))
    OR (new.priority = 1 AND new.state IN ('sent', 'failed')))
  EXECUTE FUNCTION progress_notice_email_changed();
--> statement-breakpoint
CREATE FUNCTION progress_notice_email_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE progress_tallies SET tally = tally - 1
    WHERE series = 'notice_email:' || old.state AND day = (old.created_at + 32400000) / 86400000;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER progress_notice_email_removed AFTER DELETE ON outbox_messages
  FOR EACH ROW WHEN (old.priority = 1 AND old.state IN ('sent', 'failed'))
  EXECUTE FUNCTION progress_notice_email_removed();
--> statement-breakpoint

-- Proving who one is: the letter code's first use, a verified session (made verified, or made so),
-- a new password, confirmed details. The earliest day counts.
CREATE FUNCTION progress_letter_code_used() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO human_steps (human_id, step, day)
    VALUES (new.human_id, 'checked', (new.letter_code_used_at + 32400000) / 86400000)
    ON CONFLICT (human_id, step) DO UPDATE SET day = excluded.day WHERE excluded.day < human_steps.day;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER progress_letter_code_used AFTER UPDATE OF letter_code_used_at ON notifications
  FOR EACH ROW WHEN (new.letter_code_used_at IS NOT NULL) EXECUTE FUNCTION progress_letter_code_used();
--> statement-breakpoint
-- One function for both session triggers, which do the same on insert and on update.
CREATE FUNCTION progress_session_verified() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO human_steps (human_id, step, day)
    VALUES (new.human_id, 'checked', (new.created_at + 32400000) / 86400000)
    ON CONFLICT (human_id, step) DO UPDATE SET day = excluded.day WHERE excluded.day < human_steps.day;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER progress_session_verified AFTER INSERT ON sessions
  FOR EACH ROW WHEN (new.human_id IS NOT NULL) EXECUTE FUNCTION progress_session_verified();
--> statement-breakpoint
CREATE TRIGGER progress_session_made_verified AFTER UPDATE OF human_id ON sessions
  FOR EACH ROW WHEN (new.human_id IS NOT NULL) EXECUTE FUNCTION progress_session_verified();
--> statement-breakpoint

-- A member's steps, as the person whose record it is. An account row made with a step already
-- taken (only tests and copies do) counts like a step taken later. One statement per step, in
-- SQLite's order: 'checked' comes twice, and a single INSERT … ON CONFLICT may not touch one row
-- twice in PostgreSQL, where SQLite takes the rows one by one.
CREATE FUNCTION progress_member_steps_added() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  names text[] := ARRAY['checked', 'checked', 'password_reset', 'details_confirmed', 'ready'];
  moments bigint[] := ARRAY[new.password_changed_at, new.details_confirmed_at, new.password_changed_at,
    new.details_confirmed_at, new.ready_at];
BEGIN
  FOR i IN 1 .. array_length(names, 1) LOOP
    INSERT INTO human_steps (human_id, step, day)
      SELECT s.human_id, names[i], (moments[i] + 32400000) / 86400000 FROM subjects s
      WHERE s.id = new.subject_id AND moments[i] IS NOT NULL
      ON CONFLICT (human_id, step) DO UPDATE SET day = excluded.day WHERE excluded.day < human_steps.day;
  END LOOP;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER progress_member_steps_added AFTER INSERT ON member_accounts
  FOR EACH ROW WHEN (new.password_changed_at IS NOT NULL OR new.details_confirmed_at IS NOT NULL
    OR new.ready_at IS NOT NULL)
  EXECUTE FUNCTION progress_member_steps_added();
--> statement-breakpoint
CREATE FUNCTION progress_password_reset() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO human_steps (human_id, step, day)
    SELECT s.human_id, steps.name, (new.password_changed_at + 32400000) / 86400000
    FROM subjects s, (VALUES ('checked'), ('password_reset')) AS steps (name) WHERE s.id = new.subject_id
    ON CONFLICT (human_id, step) DO UPDATE SET day = excluded.day WHERE excluded.day < human_steps.day;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER progress_password_reset AFTER UPDATE OF password_changed_at ON member_accounts
  FOR EACH ROW WHEN (new.password_changed_at IS NOT NULL) EXECUTE FUNCTION progress_password_reset();
--> statement-breakpoint
CREATE FUNCTION progress_details_confirmed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO human_steps (human_id, step, day)
    SELECT s.human_id, steps.name, (new.details_confirmed_at + 32400000) / 86400000
    FROM subjects s, (VALUES ('checked'), ('details_confirmed')) AS steps (name) WHERE s.id = new.subject_id
    ON CONFLICT (human_id, step) DO UPDATE SET day = excluded.day WHERE excluded.day < human_steps.day;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER progress_details_confirmed AFTER UPDATE OF details_confirmed_at ON member_accounts
  FOR EACH ROW WHEN (new.details_confirmed_at IS NOT NULL) EXECUTE FUNCTION progress_details_confirmed();
--> statement-breakpoint
-- Ready counts those ready now: readiness withdrawn (details changed again) takes the person out,
-- unless another of their member records is still ready.
CREATE FUNCTION progress_ready() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO human_steps (human_id, step, day)
    SELECT s.human_id, 'ready', (new.ready_at + 32400000) / 86400000 FROM subjects s WHERE s.id = new.subject_id
    ON CONFLICT (human_id, step) DO UPDATE SET day = excluded.day WHERE excluded.day < human_steps.day;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER progress_ready AFTER UPDATE OF ready_at ON member_accounts
  FOR EACH ROW WHEN (new.ready_at IS NOT NULL) EXECUTE FUNCTION progress_ready();
--> statement-breakpoint
CREATE FUNCTION progress_ready_withdrawn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM human_steps WHERE step = 'ready'
    AND human_id = (SELECT human_id FROM subjects WHERE id = new.subject_id)
    AND NOT EXISTS (
      SELECT 1 FROM subjects s JOIN member_accounts m ON m.subject_id = s.id
      WHERE s.human_id = human_steps.human_id AND m.ready_at IS NOT NULL
    );
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER progress_ready_withdrawn AFTER UPDATE OF ready_at ON member_accounts
  FOR EACH ROW WHEN (old.ready_at IS NOT NULL AND new.ready_at IS NULL)
  EXECUTE FUNCTION progress_ready_withdrawn();
