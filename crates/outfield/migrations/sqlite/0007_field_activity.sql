-- Field activity: attendance (duty days, private pauses, leave), location fixes while on duty, daily
-- trail summaries, planned and actual client visits, client location corrections.
-- Kept in lock-step with the other backend's 0007_field_activity.sql (a test compares the two schemas).
-- A day is the company's local calendar date, 'YYYY-MM-DD'.

ALTER TABLE companies ADD COLUMN work_days TEXT NOT NULL DEFAULT '1,2,3,4,5,6';
ALTER TABLE companies ADD COLUMN work_start_minute BIGINT NOT NULL DEFAULT 570;
ALTER TABLE companies ADD COLUMN work_end_minute BIGINT NOT NULL DEFAULT 1110;
ALTER TABLE companies ADD COLUMN late_after_minutes BIGINT NOT NULL DEFAULT 15;
ALTER TABLE companies ADD COLUMN auto_end_minute BIGINT DEFAULT 1410;
ALTER TABLE companies ADD COLUMN fix_interval_seconds BIGINT NOT NULL DEFAULT 120;
ALTER TABLE companies ADD COLUMN visit_radius_m BIGINT NOT NULL DEFAULT 150;
ALTER TABLE companies ADD COLUMN fix_retention_days BIGINT NOT NULL DEFAULT 60;
ALTER TABLE companies ADD COLUMN visit_outcomes TEXT NOT NULL DEFAULT 'Order taken
Payment collected
Follow-up needed
No order
Shop closed';

CREATE TABLE duty_days (
    company_id         TEXT    NOT NULL,
    person_id          TEXT    NOT NULL,
    day                TEXT    NOT NULL,
    start_id           TEXT    NOT NULL,
    started_at         BIGINT  NOT NULL,
    start_device_time  BIGINT  NOT NULL,
    start_latitude     DOUBLE PRECISION,
    start_longitude    DOUBLE PRECISION,
    start_accuracy_m   DOUBLE PRECISION,
    end_id             TEXT,
    ended_at           BIGINT,
    end_device_time    BIGINT,
    end_latitude       DOUBLE PRECISION,
    end_longitude      DOUBLE PRECISION,
    end_accuracy_m     DOUBLE PRECISION,
    end_reason         TEXT,
    PRIMARY KEY (company_id, person_id, day),
    FOREIGN KEY (company_id, person_id) REFERENCES people (company_id, id)
);
CREATE INDEX duty_days_day ON duty_days (company_id, day);

CREATE TABLE duty_pauses (
    company_id         TEXT    NOT NULL,
    id                 TEXT    NOT NULL,
    person_id          TEXT    NOT NULL,
    day                TEXT    NOT NULL,
    start_device_time  BIGINT  NOT NULL,
    end_device_time    BIGINT,
    PRIMARY KEY (company_id, id),
    FOREIGN KEY (company_id, person_id, day) REFERENCES duty_days (company_id, person_id, day)
);
CREATE INDEX duty_pauses_day ON duty_pauses (company_id, person_id, day);

CREATE TABLE leaves (
    company_id    TEXT    NOT NULL,
    person_id     TEXT    NOT NULL,
    day           TEXT    NOT NULL,
    note          TEXT    NOT NULL,
    marked_by     TEXT    NOT NULL,
    marked_at     BIGINT  NOT NULL,
    PRIMARY KEY (company_id, person_id, day),
    FOREIGN KEY (company_id, person_id) REFERENCES people (company_id, id),
    FOREIGN KEY (company_id, marked_by) REFERENCES people (company_id, id)
);

CREATE TABLE fixes (
    company_id    TEXT    NOT NULL,
    id            TEXT    NOT NULL,
    person_id     TEXT    NOT NULL,
    device_time   BIGINT  NOT NULL,
    received_at   BIGINT  NOT NULL,
    latitude      DOUBLE PRECISION NOT NULL,
    longitude     DOUBLE PRECISION NOT NULL,
    accuracy_m    DOUBLE PRECISION NOT NULL,
    speed_mps     DOUBLE PRECISION,
    heading       DOUBLE PRECISION,
    battery       DOUBLE PRECISION,
    mocked        BIGINT,
    PRIMARY KEY (company_id, id)
) WITHOUT ROWID;
CREATE INDEX fixes_person_time ON fixes (company_id, person_id, device_time);

CREATE TABLE day_summaries (
    company_id      TEXT    NOT NULL,
    person_id       TEXT    NOT NULL,
    day             TEXT    NOT NULL,
    fix_count       BIGINT  NOT NULL,
    distance_m      DOUBLE PRECISION NOT NULL,
    first_fix_at    BIGINT,
    last_fix_at     BIGINT,
    duty_ms         BIGINT  NOT NULL,
    stops           TEXT    NOT NULL,
    gaps            TEXT    NOT NULL,
    flags           TEXT    NOT NULL,
    last_latitude   DOUBLE PRECISION,
    last_longitude  DOUBLE PRECISION,
    last_accuracy_m DOUBLE PRECISION,
    last_battery    DOUBLE PRECISION,
    computed_at     BIGINT  NOT NULL,
    PRIMARY KEY (company_id, person_id, day),
    FOREIGN KEY (company_id, person_id) REFERENCES people (company_id, id)
);
CREATE INDEX day_summaries_day ON day_summaries (company_id, day);

CREATE TABLE summary_queue (
    company_id    TEXT    NOT NULL,
    person_id     TEXT    NOT NULL,
    day           TEXT    NOT NULL,
    queued_at     BIGINT  NOT NULL,
    due_at        BIGINT  NOT NULL,
    PRIMARY KEY (company_id, person_id, day)
);
CREATE INDEX summary_queue_due ON summary_queue (due_at);

CREATE TABLE visit_plans (
    company_id    TEXT    NOT NULL,
    id            TEXT    NOT NULL,
    person_id     TEXT    NOT NULL,
    client_id     TEXT    NOT NULL,
    day           TEXT,
    weekday       BIGINT,
    created_by    TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL,
    PRIMARY KEY (company_id, id),
    FOREIGN KEY (company_id, person_id) REFERENCES people (company_id, id),
    FOREIGN KEY (company_id, client_id) REFERENCES clients (company_id, id),
    FOREIGN KEY (company_id, created_by) REFERENCES people (company_id, id)
);
CREATE INDEX visit_plans_person ON visit_plans (company_id, person_id);
CREATE INDEX visit_plans_client ON visit_plans (company_id, client_id);

CREATE TABLE visits (
    company_id           TEXT    NOT NULL,
    id                   TEXT    NOT NULL,
    person_id            TEXT    NOT NULL,
    client_id            TEXT    NOT NULL,
    day                  TEXT    NOT NULL,
    planned              BIGINT  NOT NULL,
    checked_in_at        BIGINT  NOT NULL,
    in_device_time       BIGINT  NOT NULL,
    in_latitude          DOUBLE PRECISION,
    in_longitude         DOUBLE PRECISION,
    in_accuracy_m        DOUBLE PRECISION,
    in_distance_m        DOUBLE PRECISION,
    in_verdict           TEXT    NOT NULL,
    checked_out_at       BIGINT,
    out_device_time      BIGINT,
    out_latitude         DOUBLE PRECISION,
    out_longitude        DOUBLE PRECISION,
    out_accuracy_m       DOUBLE PRECISION,
    out_distance_m       DOUBLE PRECISION,
    out_verdict          TEXT,
    outcome              TEXT,
    notes                TEXT,
    follow_up_on         TEXT,
    flags                TEXT    NOT NULL,
    PRIMARY KEY (company_id, id),
    FOREIGN KEY (company_id, person_id) REFERENCES people (company_id, id),
    FOREIGN KEY (company_id, client_id) REFERENCES clients (company_id, id)
);
CREATE INDEX visits_person_day ON visits (company_id, person_id, day);
CREATE INDEX visits_day ON visits (company_id, day);
CREATE INDEX visits_client ON visits (company_id, client_id, checked_in_at);

CREATE TABLE location_corrections (
    company_id    TEXT    NOT NULL,
    id            TEXT    NOT NULL,
    client_id     TEXT    NOT NULL,
    visit_id      TEXT,
    proposed_by   TEXT    NOT NULL,
    latitude      DOUBLE PRECISION NOT NULL,
    longitude     DOUBLE PRECISION NOT NULL,
    accuracy_m    DOUBLE PRECISION NOT NULL,
    proposed_at   BIGINT  NOT NULL,
    decision      TEXT,
    decided_by    TEXT,
    decided_at    BIGINT,
    PRIMARY KEY (company_id, id),
    FOREIGN KEY (company_id, client_id) REFERENCES clients (company_id, id),
    FOREIGN KEY (company_id, proposed_by) REFERENCES people (company_id, id)
);
CREATE INDEX location_corrections_open ON location_corrections (company_id, decided_at);
