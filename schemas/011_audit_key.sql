-- The audit chain is keyed (HMAC-SHA256 with a key kept outside the store, crm_app.access.audit_key).
-- key_check recognises the key the chain was keyed with, so a wrong or missing key is refused before
-- anything is appended with it. NULL until the first event after this migration keys the chain.
ALTER TABLE audit_head ADD COLUMN key_check VARCHAR;
