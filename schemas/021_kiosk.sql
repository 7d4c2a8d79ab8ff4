-- The kiosk at the market.
-- person_interest: the networks a person said they are interested in (at the kiosk, or told to staff).
-- One row per person and network; a merge keeps the kept person's row where both had one. Erased with
-- the person, part of the subject-access file.
CREATE TABLE person_interest (
    person_id       BIGINT NOT NULL,
    network_id      BIGINT NOT NULL,
    noted_utc       TIMESTAMP NOT NULL,
    via             VARCHAR NOT NULL CHECK (via IN ('kiosk', 'staff')),
    PRIMARY KEY (person_id, network_id)
);
CREATE INDEX person_interest_network_idx ON person_interest (network_id);

-- Kiosk mode of a staff session: while kiosk_market is set the session has the kiosk's rights only.
-- The PIN that ends it is stored as an argon2id hash; wrong PINs are counted and make the next try wait.
ALTER TABLE app_session ADD COLUMN kiosk_market VARCHAR;
ALTER TABLE app_session ADD COLUMN kiosk_day DATE;
ALTER TABLE app_session ADD COLUMN kiosk_pin_hash VARCHAR;
ALTER TABLE app_session ADD COLUMN kiosk_failures INTEGER DEFAULT 0;
ALTER TABLE app_session ADD COLUMN kiosk_retry_utc TIMESTAMP;
