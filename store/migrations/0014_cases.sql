-- Closed-loop cases: teams of users, cases with their SLA deadlines and
-- resolution, and each case's append-only timeline of events. Case events
-- are never updated or deleted, except when the whole workspace or the
-- case's customer is erased. Zero in team_id, assignee_id, customer_id,
-- touchpoint_id and rule_id means none.
CREATE TABLE teams (
    id           {{pk}},
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    key          TEXT NOT NULL,
    name         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    UNIQUE (workspace_id, key)
);

CREATE TABLE team_members (
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    team_id      BIGINT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id      BIGINT NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members (workspace_id, user_id);

CREATE TABLE cases (
    id                      {{pk}},
    workspace_id            BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    title                   TEXT NOT NULL,
    status                  TEXT NOT NULL,
    priority                TEXT NOT NULL,
    team_id                 BIGINT NOT NULL,
    assignee_id             BIGINT NOT NULL,
    response_id             TEXT NOT NULL,
    customer_id             BIGINT NOT NULL,
    touchpoint_id           BIGINT NOT NULL,
    rule_id                 BIGINT NOT NULL,
    first_response_due      BIGINT,
    resolution_due          BIGINT,
    first_responded_at      BIGINT,
    resolved_at             BIGINT,
    closed_at               BIGINT,
    waiting_since           BIGINT,
    breached_first_response INTEGER NOT NULL,
    breached_resolution     INTEGER NOT NULL,
    root_cause              TEXT NOT NULL,
    resolution_type         TEXT NOT NULL,
    resolution_amount       DOUBLE PRECISION NOT NULL,
    resolution_currency     TEXT NOT NULL,
    resolution_note         TEXT NOT NULL,
    created_at              BIGINT NOT NULL,
    updated_at              BIGINT NOT NULL
);
CREATE INDEX cases_status ON cases (workspace_id, status, id);
CREATE INDEX cases_team ON cases (workspace_id, team_id, id);
CREATE INDEX cases_customer ON cases (workspace_id, customer_id);
CREATE INDEX cases_first_response_due ON cases (first_response_due) WHERE first_responded_at IS NULL AND breached_first_response = 0;
CREATE INDEX cases_resolution_due ON cases (resolution_due) WHERE breached_resolution = 0;
-- At most one open case per response.
CREATE UNIQUE INDEX cases_open_response ON cases (workspace_id, response_id)
    WHERE response_id <> '' AND status IN ('new', 'in_progress', 'waiting');

CREATE TABLE case_events (
    id            {{pk}},
    workspace_id  BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    case_id       BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    actor_user_id BIGINT NOT NULL,
    kind          TEXT NOT NULL,
    old_value     TEXT NOT NULL,
    new_value     TEXT NOT NULL,
    body          TEXT NOT NULL,
    at            BIGINT NOT NULL
);
CREATE INDEX case_events_case ON case_events (workspace_id, case_id, id);
CREATE INDEX case_events_kind ON case_events (workspace_id, kind, at);
