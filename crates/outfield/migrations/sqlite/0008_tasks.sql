-- Follow-up tasks on clients: what someone must do for a client by a date (a call back, a payment to
-- collect, a demo), assigned to a person and shown on their day.

CREATE TABLE tasks (
    company_id    TEXT    NOT NULL,
    id            TEXT    NOT NULL,
    client_id     TEXT    NOT NULL,
    assignee_id   TEXT    NOT NULL,
    title         TEXT    NOT NULL,
    due_on        TEXT    NOT NULL,
    created_by    TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL,
    done_at       BIGINT,
    done_by       TEXT,
    PRIMARY KEY (company_id, id),
    FOREIGN KEY (company_id, client_id) REFERENCES clients (company_id, id),
    FOREIGN KEY (company_id, assignee_id) REFERENCES people (company_id, id),
    FOREIGN KEY (company_id, created_by) REFERENCES people (company_id, id)
);
CREATE INDEX tasks_client ON tasks (company_id, client_id, due_on);
CREATE INDEX tasks_assignee ON tasks (company_id, assignee_id, due_on);
