-- A compaction the store still owes: rows were deleted (an erasure, retention) but their bytes stay in the
-- file until it is copied into a fresh one. A row is inserted in the same transaction as the delete, so a
-- deletion can never be committed without it; the compaction's copy leaves the table empty. Until then the
-- store retries at every open, in the daily upkeep and at night, and the Privacy screen shows it.
-- No personal data: a reason code and times only.
CREATE TABLE compaction_pending (
    requested_utc     TIMESTAMP NOT NULL,
    reason            VARCHAR NOT NULL,          -- request, retention, reapply
    attempts          INTEGER NOT NULL DEFAULT 0,
    last_attempt_utc  TIMESTAMP,
    last_error        VARCHAR                    -- the exception's type only, never its message
);
