-- Networks' composition targets, waiting lists, offers and memberships; settings; the stage from these facts.

ALTER TABLE network ADD COLUMN version BIGINT DEFAULT 0;  -- bumped by every change of places: serialises fills

CREATE SEQUENCE network_target_id_seq START 1;
CREATE TABLE network_target (
    id              BIGINT PRIMARY KEY DEFAULT nextval('network_target_id_seq'),
    network_id      BIGINT NOT NULL,
    dimension       VARCHAR NOT NULL,  -- gender, age_band, country_of_origin, language, education_level, …
    dim_value       VARCHAR,           -- NULL: the target is about the spread (distinct values, or each value)
    measure         VARCHAR NOT NULL CHECK (measure IN ('count', 'share', 'distinct')),
    min_value       DOUBLE,
    max_value       DOUBLE,
    CHECK (min_value IS NOT NULL OR max_value IS NOT NULL)
);
CREATE INDEX network_target_network_idx ON network_target (network_id);

CREATE SEQUENCE waitlist_entry_id_seq START 1;
CREATE TABLE waitlist_entry (
    id              BIGINT PRIMARY KEY DEFAULT nextval('waitlist_entry_id_seq'),
    network_id      BIGINT NOT NULL,
    person_id       BIGINT NOT NULL,
    joined_utc      TIMESTAMP NOT NULL,
    status          VARCHAR NOT NULL CHECK (status IN ('waiting', 'offered', 'placed', 'declined', 'expired',
                                                       'withdrawn', 'removed')),
    status_reason   VARCHAR,
    status_utc      TIMESTAMP NOT NULL,
    last_check_utc  TIMESTAMP,         -- last "still interested?" confirmation
    added_by        BIGINT
);
CREATE INDEX waitlist_entry_network_idx ON waitlist_entry (network_id);
CREATE INDEX waitlist_entry_person_idx ON waitlist_entry (person_id);

CREATE SEQUENCE offer_id_seq START 1;
CREATE TABLE offer (
    id              BIGINT PRIMARY KEY DEFAULT nextval('offer_id_seq'),
    network_id      BIGINT NOT NULL,
    person_id       BIGINT NOT NULL,
    waitlist_entry_id BIGINT NOT NULL,
    method          VARCHAR NOT NULL CHECK (method IN ('waitlist', 'quota', 'lottery')),
    reason          VARCHAR,          -- the plain reason shown when it was proposed (no personal data)
    offered_utc     TIMESTAMP NOT NULL,
    deadline_date   DATE NOT NULL,
    status          VARCHAR NOT NULL CHECK (status IN ('open', 'accepted', 'declined', 'expired', 'withdrawn')),
    responded_utc   TIMESTAMP,
    offered_by      BIGINT
);
CREATE INDEX offer_network_idx ON offer (network_id);
CREATE INDEX offer_person_idx ON offer (person_id);

CREATE SEQUENCE membership_id_seq START 1;
CREATE TABLE membership (
    id                BIGINT PRIMARY KEY DEFAULT nextval('membership_id_seq'),
    network_id        BIGINT NOT NULL,
    person_id         BIGINT NOT NULL,
    offer_id          BIGINT,
    start_date        DATE NOT NULL,
    planned_end_date  DATE NOT NULL,
    actual_end_date   DATE,
    end_reason        VARCHAR CHECK (end_reason IN ('term_completed', 'left', 'removed', 'moved_to_alumni')),
    term_number       INTEGER NOT NULL DEFAULT 1,
    CHECK (planned_end_date > start_date)
);
CREATE INDEX membership_network_idx ON membership (network_id);
CREATE INDEX membership_person_idx ON membership (person_id);

CREATE TABLE app_setting (
    name            VARCHAR PRIMARY KEY,
    setting_value   VARCHAR NOT NULL,
    updated_utc     TIMESTAMP NOT NULL
);

CREATE OR REPLACE VIEW person_stage AS
SELECT p.id AS person_id,
       CASE
           WHEN EXISTS (SELECT 1 FROM membership m JOIN network n ON n.id = m.network_id
                        WHERE m.person_id = p.id AND m.actual_end_date IS NULL AND n.kind <> 'alumni_network')
               THEN 'member'
           WHEN EXISTS (SELECT 1 FROM offer o WHERE o.person_id = p.id AND o.status = 'open') THEN 'offered'
           WHEN EXISTS (SELECT 1 FROM membership m WHERE m.person_id = p.id) THEN 'alumnus'
           WHEN p.stage_manual IN ('not_interested', 'unreachable', 'withdrawn') THEN p.stage_manual
           WHEN EXISTS (SELECT 1 FROM waitlist_entry w WHERE w.person_id = p.id AND w.status = 'waiting')
               THEN 'waiting'
           WHEN p.stage_manual IS NOT NULL THEN p.stage_manual
           WHEN EXISTS (SELECT 1 FROM activity a WHERE a.person_id = p.id) THEN 'contacted'
           ELSE 'new'
       END AS stage
FROM person p;
