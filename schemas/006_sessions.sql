-- Server-side sessions (issue 4, access and sessions). A browser holds a random token; only its
-- sha256 is stored, so a copy of the database does not let anyone take over a session.
-- method: 'local' (username + password) or 'oidc' (the organisation's identity provider through
-- st.login). ended_utc/end_reason are set at logout ('logout'), on expiry ('idle', 'max_age'),
-- when the account was disabled ('disabled') or when the OIDC identity no longer matches
-- ('identity'). No foreign key to app_user: DuckDB treats an UPDATE of a referenced row
-- (last_login_utc) as delete + insert and would refuse it.
CREATE SEQUENCE app_session_id_seq START 1;
CREATE TABLE app_session (
    id              BIGINT PRIMARY KEY DEFAULT nextval('app_session_id_seq'),
    token_hash      VARCHAR NOT NULL UNIQUE,
    user_id         BIGINT NOT NULL,
    method          VARCHAR NOT NULL CHECK (method IN ('local', 'oidc')),
    oidc_subject    VARCHAR,
    created_utc     TIMESTAMP NOT NULL,
    last_seen_utc   TIMESTAMP NOT NULL,
    ended_utc       TIMESTAMP,
    end_reason      VARCHAR
);
CREATE INDEX app_session_user_idx ON app_session (user_id);
-- The identity provider an account's oidc_subject belongs to (subjects are unique per issuer).
-- NULL: any configured provider. app_user.oidc_subject and app_user.email exist since 001.
ALTER TABLE app_user ADD COLUMN oidc_issuer VARCHAR;
