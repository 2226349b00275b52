-- Settings of the installation rather than of a company, kept in the database so that every command run
-- against it agrees with the server: the public URL `serve` was configured with, which `company create`
-- makes the owner's link with.
CREATE TABLE instance_settings (
    name        TEXT    PRIMARY KEY,
    value       TEXT    NOT NULL,
    updated_at  BIGINT  NOT NULL
);
