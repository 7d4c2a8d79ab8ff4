-- Audit hash chain: each event carries the hash of the previous one, and audit_head holds the
-- last hashed event so a writer appends in one transaction (updating the single head row also
-- serialises concurrent writers). Rows written before this migration stay unhashed: the chain
-- starts at the first event after it, and verification treats earlier NULL hashes as pre-chain.
ALTER TABLE audit_event ADD COLUMN prev_hash VARCHAR;
ALTER TABLE audit_event ADD COLUMN event_hash VARCHAR;

CREATE TABLE audit_head (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    last_id     BIGINT,
    last_hash   VARCHAR
);
INSERT INTO audit_head VALUES (1, NULL, NULL);
