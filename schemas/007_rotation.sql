-- Rotation: renewal and alumni decisions per membership, the days processed, the alumni network's
-- rotating composition (settings, periods, who is active), and two new kinds of contact moment.

-- One row per membership once its end comes into view: the renewal proposal and the manager's
-- decision, and the member's own answer to "join the alumni network?" (their agreement).
CREATE TABLE membership_decision (
    membership_id   BIGINT PRIMARY KEY,
    network_id      BIGINT NOT NULL,
    person_id       BIGINT NOT NULL,
    renewal         VARCHAR CHECK (renewal IN ('proposed', 'confirmed', 'declined')),  -- NULL: no terms left
    proposed_on     DATE,
    alumni_choice   VARCHAR CHECK (alumni_choice IN ('yes', 'no')),                    -- NULL: not asked yet
    outcome         VARCHAR CHECK (outcome IN ('renewed', 'moved_to_alumni', 'ended', 'alumni_pending')),
    decided_utc     TIMESTAMP,
    decided_by      BIGINT
);
CREATE INDEX membership_decision_network_idx ON membership_decision (network_id);

-- Every day the rotation was applied for (idempotency and the "not before the last day" rule).
CREATE TABLE rotation_run (
    run_date        DATE PRIMARY KEY,
    processed_utc   TIMESTAMP NOT NULL,
    renewed         INTEGER NOT NULL,
    ended           INTEGER NOT NULL,
    moved           INTEGER NOT NULL,
    proposed        INTEGER NOT NULL
);

-- An alumni network's rotation: how many alumni are active per period, how long a period is, and for
-- how many periods in a row one alumnus stays active.
CREATE TABLE alumni_setting (
    network_id      BIGINT PRIMARY KEY,
    active_places   INTEGER NOT NULL CHECK (active_places >= 1),
    period_months   INTEGER NOT NULL CHECK (period_months IN (1, 2, 3, 4, 6, 12)),
    active_periods  INTEGER NOT NULL CHECK (active_periods >= 1),
    updated_utc     TIMESTAMP NOT NULL
);

CREATE SEQUENCE alumni_period_id_seq START 1;
CREATE TABLE alumni_period (
    id              BIGINT PRIMARY KEY DEFAULT nextval('alumni_period_id_seq'),
    network_id      BIGINT NOT NULL,
    period_start    DATE NOT NULL,
    period_end      DATE NOT NULL,          -- the first day after the period
    status          VARCHAR NOT NULL CHECK (status IN ('proposed', 'confirmed')),
    active_places   INTEGER NOT NULL,       -- the setting when it was proposed
    created_utc     TIMESTAMP NOT NULL,
    confirmed_utc   TIMESTAMP,
    confirmed_by    BIGINT,
    UNIQUE (network_id, period_start)
);

CREATE TABLE alumni_active (
    period_id       BIGINT NOT NULL,
    person_id       BIGINT NOT NULL,
    membership_id   BIGINT NOT NULL,
    reason          VARCHAR,                -- the plain reasons as codes and numbers (no personal data)
    PRIMARY KEY (period_id, person_id)
);

-- Renewal and exit conversations are contact moments too: the kind list grows by two. DuckDB cannot
-- change a CHECK in place, so the table is copied into one with the longer list (ids and sequence kept).
CREATE TABLE activity_new (
    id              BIGINT PRIMARY KEY DEFAULT nextval('activity_id_seq'),
    person_id       BIGINT NOT NULL,
    kind            VARCHAR NOT NULL CHECK (kind IN ('call', 'message', 'visit', 'market_conversation', 'meeting',
                                                     'other', 'renewal_conversation', 'exit_conversation')),
    summary         VARCHAR,
    occurred_utc    TIMESTAMP NOT NULL,
    follow_up_date  DATE,
    follow_up_done  BOOLEAN NOT NULL DEFAULT FALSE,
    staff_id        BIGINT
);
INSERT INTO activity_new (id, person_id, kind, summary, occurred_utc, follow_up_date, follow_up_done, staff_id)
    SELECT id, person_id, kind, summary, occurred_utc, follow_up_date, follow_up_done, staff_id FROM activity;
DROP TABLE activity;
ALTER TABLE activity_new RENAME TO activity;
CREATE INDEX activity_person_idx ON activity (person_id);
