-- Listening: surveys and their responses.
-- Portable SQL for SQLite and PostgreSQL; see store/sql.go for the conventions.

-- surveys keeps the whole definition (questions, texts, trigger, contact
-- rules) as the JSON of a cxm.Survey in definition; the columns beside it
-- are what lists filter on and what must be unique.
CREATE TABLE surveys (
    id           {{pk}},
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    slug         TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    status       TEXT NOT NULL,
    definition   TEXT NOT NULL,
    opens_at     BIGINT,
    closes_at    BIGINT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX surveys_workspace ON surveys (workspace_id, id);

-- survey_touchpoints links a survey to the keys of its touchpoints, for
-- lists by touchpoint. Keys, not ids: touchpoint keys never change, and a
-- deleted touchpoint must not fail on a survey that still names it.
CREATE TABLE survey_touchpoints (
    survey_id      BIGINT NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    workspace_id   BIGINT NOT NULL,
    touchpoint_key TEXT NOT NULL,
    position       INTEGER NOT NULL,
    PRIMARY KEY (survey_id, touchpoint_key)
);
CREATE INDEX survey_touchpoints_key ON survey_touchpoints (workspace_id, touchpoint_key);

-- responses is a hot table, like interactions: no foreign keys, the store
-- checks references in the same transaction. public_id is the id callers
-- see and submit again; id orders rows and pages. The score columns are
-- derived from the answers, for metrics and rollups.
CREATE TABLE responses (
    id            {{pk}},
    workspace_id  BIGINT NOT NULL,
    public_id     TEXT NOT NULL,
    survey_id     BIGINT NOT NULL,
    customer_id   BIGINT,
    anonymous_id  TEXT,
    invitation_id BIGINT,
    touchpoint_id BIGINT,
    channel       TEXT NOT NULL,
    source        TEXT NOT NULL,
    locale        TEXT NOT NULL,
    answers       TEXT NOT NULL,
    hidden        TEXT NOT NULL,
    completed     INTEGER NOT NULL,
    nps           INTEGER,
    nps_class     TEXT,
    csat          INTEGER,
    ces           INTEGER,
    rating        INTEGER,
    started_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    completed_at  BIGINT
);
CREATE UNIQUE INDEX responses_public ON responses (workspace_id, public_id);
CREATE INDEX responses_started ON responses (workspace_id, started_at, id);
CREATE INDEX responses_survey ON responses (workspace_id, survey_id, started_at, id);
CREATE INDEX responses_customer ON responses (workspace_id, customer_id) WHERE customer_id IS NOT NULL;
CREATE INDEX responses_touchpoint ON responses (workspace_id, touchpoint_id, started_at, id);
CREATE INDEX responses_anonymous ON responses (workspace_id, anonymous_id) WHERE anonymous_id IS NOT NULL;
