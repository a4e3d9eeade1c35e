-- A database indexed before `index_key_id` was kept has its digests under HMAC-SHA256, the only
-- suite of its day: say so, for `indexKeyState` to record the right key ID on its first open.
INSERT INTO `portal_meta` (`key`, `value`)
SELECT 'untracked_index_suite', 'hmac-sha256'
WHERE NOT EXISTS (SELECT 1 FROM `portal_meta` WHERE `key` = 'index_key_id')
  AND (EXISTS (SELECT 1 FROM `subjects`) OR EXISTS (SELECT 1 FROM `staff_members`) OR EXISTS (SELECT 1 FROM `messages`));
