-- Every message sent (email) or prepared (a call, SMS or WhatsApp link tapped and marked as contacted) to a
-- person: what kind, by which channel, about which network, offer or meeting, when, by whom. Erased with the
-- person; counted for contact fatigue. The text itself is not kept (it is the catalogue's template).
CREATE SEQUENCE message_log_id_seq START 1;
CREATE TABLE message_log (
    id              BIGINT PRIMARY KEY DEFAULT nextval('message_log_id_seq'),
    person_id       BIGINT NOT NULL,
    kind            VARCHAR NOT NULL CHECK (kind IN ('offer', 'still_interested', 'meeting_invitation',
                                                     'meeting_reminder')),
    channel         VARCHAR NOT NULL CHECK (channel IN ('email', 'phone', 'sms', 'whatsapp')),
    network_id      BIGINT,
    offer_id        BIGINT,
    waitlist_entry_id BIGINT,
    meeting_id      BIGINT,
    language        VARCHAR NOT NULL,     -- the catalogue the text was taken from (nl, en)
    status          VARCHAR NOT NULL CHECK (status IN ('sent', 'prepared')),
    sent_utc        TIMESTAMP NOT NULL,
    sent_by         BIGINT                -- the staff member; NULL at the command line
);
CREATE INDEX message_log_person_idx ON message_log (person_id, sent_utc);
