-- A lottery draw, kept so that anyone with access can check it: the seed, the sha256 of the pool and targets
-- it ran on (canonical JSON, see crm_app.networks.lottery.Problem.canonical), the distribution (each
-- candidate's chance and the panels with their weight, JSON), the panel drawn (person ids, JSON), who drew
-- it and when. Re-running `crm fill NETWORK --method lottery --seed S` on the same pool gives the same panel.
CREATE SEQUENCE lottery_draw_id_seq START 1;
CREATE TABLE lottery_draw (
    id              BIGINT PRIMARY KEY DEFAULT nextval('lottery_draw_id_seq'),
    network_id      BIGINT NOT NULL,
    seed            BIGINT NOT NULL,
    input_hash      VARCHAR NOT NULL,
    places          INTEGER NOT NULL,
    distribution    VARCHAR NOT NULL,
    panel           VARCHAR NOT NULL,
    drawn_by        BIGINT,
    drawn_utc       TIMESTAMP NOT NULL
);
CREATE INDEX lottery_draw_network_idx ON lottery_draw (network_id);
