-- Imports of persons from a CSV or XLSX file (crm_app.people.imports). One row per import that added
-- anything: the file's sha256 (a second run of the same file is recognised), its kind and the counts; no
-- personal data. Every source an import adds carries its batch and the row's identity (sha256 of the row's
-- cleaned values), so a row already imported is never added twice; erasure deletes it with the source.
CREATE SEQUENCE import_batch_id_seq START 1;
CREATE TABLE import_batch (
    id              BIGINT PRIMARY KEY DEFAULT nextval('import_batch_id_seq'),
    file_sha256     VARCHAR NOT NULL,
    file_kind       VARCHAR NOT NULL,
    rows_total      INTEGER NOT NULL,
    rows_added      INTEGER NOT NULL,
    rows_refused    INTEGER NOT NULL,
    imported_by     BIGINT,
    imported_utc    TIMESTAMP NOT NULL
);
CREATE INDEX import_batch_file_idx ON import_batch (file_sha256);

ALTER TABLE person_source ADD COLUMN import_batch_id BIGINT;
ALTER TABLE person_source ADD COLUMN import_row_key VARCHAR;
CREATE INDEX person_source_import_row_idx ON person_source (import_row_key);

-- The column mapping last used per source (kind|name, casefolded): header → field, JSON.
CREATE TABLE import_mapping (
    source_key      VARCHAR PRIMARY KEY,
    mapping         VARCHAR NOT NULL,
    updated_utc     TIMESTAMP NOT NULL
);
