-- Meetings of a network, who was invited and came, what was reimbursed, and "you said, we did":
-- the advice a network gave (input) and what the policy side did with it (responses).

CREATE SEQUENCE meeting_id_seq START 1;
CREATE TABLE meeting (
    id              BIGINT PRIMARY KEY DEFAULT nextval('meeting_id_seq'),
    network_id      BIGINT NOT NULL,
    meeting_date    DATE NOT NULL,
    start_time      TIME,                 -- local time (Europe/Amsterdam)
    place           VARCHAR,
    topic           VARCHAR,
    interpreter     BOOLEAN NOT NULL DEFAULT FALSE,   -- language support needed
    language_coach  BOOLEAN NOT NULL DEFAULT FALSE,
    created_utc     TIMESTAMP NOT NULL,
    created_by      BIGINT
);
CREATE INDEX meeting_network_idx ON meeting (network_id);

-- One row per person invited or recorded: 'invited' until the attendance is recorded.
CREATE TABLE meeting_attendance (
    meeting_id      BIGINT NOT NULL,
    person_id       BIGINT NOT NULL,
    status          VARCHAR NOT NULL CHECK (status IN ('invited', 'present', 'excused', 'absent')),
    recorded_utc    TIMESTAMP NOT NULL,
    recorded_by     BIGINT,
    PRIMARY KEY (meeting_id, person_id)
);
CREATE INDEX meeting_attendance_person_idx ON meeting_attendance (person_id);

-- Exact amounts in euros (never floats). The allowance counts towards the caps; travel costs are actual costs.
CREATE SEQUENCE reimbursement_id_seq START 1;
CREATE TABLE reimbursement (
    id              BIGINT PRIMARY KEY DEFAULT nextval('reimbursement_id_seq'),
    meeting_id      BIGINT NOT NULL,
    person_id       BIGINT NOT NULL,
    travel          DECIMAL(9, 2) NOT NULL CHECK (travel >= 0),
    allowance       DECIMAL(9, 2) NOT NULL CHECK (allowance >= 0),
    override_reason VARCHAR,              -- why a cap was knowingly exceeded
    recorded_utc    TIMESTAMP NOT NULL,
    recorded_by     BIGINT,
    UNIQUE (meeting_id, person_id)
);
CREATE INDEX reimbursement_person_idx ON reimbursement (person_id);

CREATE SEQUENCE network_input_id_seq START 1;
CREATE TABLE network_input (
    id              BIGINT PRIMARY KEY DEFAULT nextval('network_input_id_seq'),
    network_id      BIGINT NOT NULL,
    meeting_id      BIGINT,
    topic           VARCHAR NOT NULL,
    body            VARCHAR,
    given_date      DATE NOT NULL,
    addressed_to    VARCHAR,              -- the policy area or organisation the advice went to
    created_utc     TIMESTAMP NOT NULL,
    created_by      BIGINT
);
CREATE INDEX network_input_network_idx ON network_input (network_id);

CREATE SEQUENCE input_response_id_seq START 1;
CREATE TABLE input_response (
    id              BIGINT PRIMARY KEY DEFAULT nextval('input_response_id_seq'),
    input_id        BIGINT NOT NULL,
    action_taken    VARCHAR NOT NULL,
    status          VARCHAR NOT NULL CHECK (status IN ('received', 'in_progress', 'adopted', 'partly_adopted',
                                                       'not_adopted')),
    reason          VARCHAR,              -- required when not adopted
    response_date   DATE NOT NULL,
    created_utc     TIMESTAMP NOT NULL,
    created_by      BIGINT
);
CREATE INDEX input_response_input_idx ON input_response (input_id);
