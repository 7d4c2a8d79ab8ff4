-- Foundation: staff accounts, persons with their dedupe keys, sources, consents, contact moments, audit.
-- Times are UTC. Column names avoid DuckDB keywords.

CREATE SEQUENCE app_user_id_seq START 1;
CREATE TABLE app_user (
    id              BIGINT PRIMARY KEY DEFAULT nextval('app_user_id_seq'),
    username        VARCHAR NOT NULL UNIQUE,
    display_name    VARCHAR NOT NULL,
    role            VARCHAR NOT NULL CHECK (role IN ('outreach', 'program_manager', 'coordinator', 'admin', 'kiosk')),
    password_hash   VARCHAR,              -- argon2id; NULL for accounts that only log in through OIDC
    oidc_subject    VARCHAR UNIQUE,       -- identity-provider subject, for the privacy issue's OIDC login
    email           VARCHAR,
    disabled        BOOLEAN NOT NULL DEFAULT FALSE,
    created_utc     TIMESTAMP NOT NULL,
    last_login_utc  TIMESTAMP
);

CREATE SEQUENCE person_id_seq START 1;
CREATE TABLE person (
    id                  BIGINT PRIMARY KEY DEFAULT nextval('person_id_seq'),
    given_name          VARCHAR NOT NULL,
    family_name         VARCHAR,
    phone_e164          VARCHAR,
    phone_country       VARCHAR,          -- ISO 3166 alpha-2 the number was entered with
    email               VARCHAR,
    preferred_language  VARCHAR,          -- ISO 639-3
    other_languages     VARCHAR[],        -- ISO 639-3
    note                VARCHAR,
    stage_manual        VARCHAR CHECK (stage_manual IN ('interested', 'not_interested', 'unreachable', 'withdrawn')),
    -- optional dimensions: stored only while the diversity_statistics consent is given
    gender              VARCHAR,
    birth_year          INTEGER,
    country_of_origin   VARCHAR,          -- ISO 3166 alpha-2
    education_level     VARCHAR,
    municipality        VARCHAR,
    district            VARCHAR,
    arrival_year        INTEGER,
    integration_route   VARCHAR,
    -- normalised keys for search and duplicate detection
    email_key           VARCHAR,          -- casefolded email
    given_key           VARCHAR NOT NULL, -- ASCII-folded, lower case, letters and spaces
    family_key          VARCHAR NOT NULL,
    name_block          VARCHAR NOT NULL, -- given|family consonant skeletons: finds transliteration variants
    family_year_block   VARCHAR,          -- family skeleton|birth year: finds given-name variants
    created_utc         TIMESTAMP NOT NULL,
    updated_utc         TIMESTAMP NOT NULL,
    created_by          BIGINT
);
CREATE INDEX person_phone_idx ON person (phone_e164);
CREATE INDEX person_email_key_idx ON person (email_key);
CREATE INDEX person_name_block_idx ON person (name_block);
CREATE INDEX person_family_year_block_idx ON person (family_year_block);

CREATE SEQUENCE person_source_id_seq START 1;
CREATE TABLE person_source (
    id              BIGINT PRIMARY KEY DEFAULT nextval('person_source_id_seq'),
    person_id       BIGINT NOT NULL,
    kind            VARCHAR NOT NULL CHECK (kind IN ('market', 'coach_referral', 'internal_coach', 'alumni_referral',
                                                     'partner_org', 'self_registration', 'event', 'other')),
    source_name     VARCHAR,      -- the market, the coach, the partner organisation or the event
    source_org      VARCHAR,      -- the coach's organisation
    source_date     DATE,         -- the market day or event day
    referrer_id     BIGINT,       -- the alumnus who referred (alumni_referral)
    detail          VARCHAR,      -- anything else worth knowing
    recorded_utc    TIMESTAMP NOT NULL,
    recorded_by     BIGINT
);
CREATE INDEX person_source_person_idx ON person_source (person_id);

CREATE SEQUENCE consent_id_seq START 1;
CREATE TABLE consent (
    id              BIGINT PRIMARY KEY DEFAULT nextval('consent_id_seq'),
    person_id       BIGINT NOT NULL,
    purpose         VARCHAR NOT NULL CHECK (purpose IN ('contact', 'diversity_statistics', 'share_with_referrer', 'photo')),
    granted         BOOLEAN NOT NULL,
    method          VARCHAR NOT NULL CHECK (method IN ('verbal', 'written', 'form')),
    text_version    VARCHAR NOT NULL,
    recorded_utc    TIMESTAMP NOT NULL,
    recorded_by     BIGINT
);
CREATE INDEX consent_person_idx ON consent (person_id);

CREATE SEQUENCE activity_id_seq START 1;
CREATE TABLE activity (
    id              BIGINT PRIMARY KEY DEFAULT nextval('activity_id_seq'),
    person_id       BIGINT NOT NULL,
    kind            VARCHAR NOT NULL CHECK (kind IN ('call', 'message', 'visit', 'market_conversation', 'meeting', 'other')),
    summary         VARCHAR,
    occurred_utc    TIMESTAMP NOT NULL,
    follow_up_date  DATE,
    follow_up_done  BOOLEAN NOT NULL DEFAULT FALSE,
    staff_id        BIGINT
);
CREATE INDEX activity_person_idx ON activity (person_id);

-- Participant networks. The networks issue adds targets, waiting lists, offers and memberships.
CREATE SEQUENCE network_id_seq START 1;
CREATE TABLE network (
    id                     BIGINT PRIMARY KEY DEFAULT nextval('network_id_seq'),
    name                   VARCHAR NOT NULL UNIQUE,
    kind                   VARCHAR NOT NULL CHECK (kind IN ('sounding_board', 'advisory_council', 'alumni_network',
                                                            'platform_delegation')),
    min_places             INTEGER NOT NULL CHECK (min_places >= 0),
    max_places             INTEGER NOT NULL CHECK (max_places >= 1),
    term_months            INTEGER NOT NULL CHECK (term_months >= 1),
    max_consecutive_terms  INTEGER NOT NULL DEFAULT 2 CHECK (max_consecutive_terms >= 1),
    rest_months            INTEGER NOT NULL DEFAULT 12 CHECK (rest_months >= 0),
    meeting_cadence        VARCHAR NOT NULL DEFAULT 'monthly',
    alumni_network_id      BIGINT,
    created_utc            TIMESTAMP NOT NULL,
    CHECK (min_places <= max_places)
);

-- Who did what to which record, never the personal data itself. The privacy issue adds the hash chain.
CREATE SEQUENCE audit_event_id_seq START 1;
CREATE TABLE audit_event (
    id              BIGINT PRIMARY KEY DEFAULT nextval('audit_event_id_seq'),
    occurred_utc    TIMESTAMP NOT NULL,
    user_id         BIGINT,
    action          VARCHAR NOT NULL,
    record_type     VARCHAR,
    record_id       BIGINT,
    result          VARCHAR NOT NULL,
    origin          VARCHAR NOT NULL     -- 'web' or 'cli'
);

-- The stage is derived from facts, not typed twice. Later migrations replace this view as
-- waiting lists, offers and memberships arrive.
CREATE VIEW person_stage AS
SELECT p.id AS person_id,
       CASE
           WHEN p.stage_manual IS NOT NULL THEN p.stage_manual
           WHEN EXISTS (SELECT 1 FROM activity a WHERE a.person_id = p.id) THEN 'contacted'
           ELSE 'new'
       END AS stage
FROM person p;
