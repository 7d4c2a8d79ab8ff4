-- Login throttling (privacy issue): one row per log-in attempt, kept for a day.
-- username_key is sha256(salt || normalised username), so a password typed into the username
-- field is not stored readable; address is the client address as Streamlit reports it (staff IP,
-- NULL at the command line or on localhost). outcome: 'ok', 'failed' (password checked and wrong,
-- or account disabled/unknown) or 'throttled' (refused without checking the password).
CREATE TABLE login_attempt (
    username_key    VARCHAR NOT NULL,
    address         VARCHAR,
    occurred_utc    TIMESTAMP NOT NULL,
    ok              BOOLEAN NOT NULL,
    outcome         VARCHAR NOT NULL
);
CREATE INDEX login_attempt_user_idx ON login_attempt (username_key, occurred_utc);
CREATE INDEX login_attempt_address_idx ON login_attempt (address, occurred_utc);
-- A per-store random salt for username_key, made once when this migration runs.
CREATE TABLE login_throttle_salt (salt VARCHAR NOT NULL);
INSERT INTO login_throttle_salt SELECT sha256(gen_random_uuid()::VARCHAR || random()::VARCHAR);
