-- Uploaded files (visit photos, voice notes, selfies) and what they are attached to. The bytes live in
-- the object store under storage_key; the hash finds the same file uploaded twice.

CREATE TABLE files (
    company_id    TEXT    NOT NULL,
    id            TEXT    NOT NULL,
    person_id     TEXT    NOT NULL,
    purpose       TEXT    NOT NULL,
    content_type  TEXT    NOT NULL,
    size_bytes    BIGINT  NOT NULL,
    sha256        TEXT    NOT NULL,
    storage_key   TEXT    NOT NULL,
    uploaded_at   BIGINT  NOT NULL,
    PRIMARY KEY (company_id, id),
    FOREIGN KEY (company_id, person_id) REFERENCES people (company_id, id)
);
CREATE INDEX files_hash ON files (company_id, sha256);

-- A record names its files before their bytes arrive (the app sends records first), so file_id is not a
-- foreign key: the console shows a named file once it is in `files`.
CREATE TABLE attachments (
    company_id    TEXT    NOT NULL,
    subject_kind  TEXT    NOT NULL,
    subject_id    TEXT    NOT NULL,
    file_id       TEXT    NOT NULL,
    purpose       TEXT    NOT NULL,
    position      BIGINT  NOT NULL,
    PRIMARY KEY (company_id, subject_kind, subject_id, file_id)
);

ALTER TABLE companies ADD COLUMN selfie_required BIGINT NOT NULL DEFAULT 0;
