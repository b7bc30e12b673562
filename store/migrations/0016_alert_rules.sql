-- Alert rules and their firings. A firing is stored once per rule and
-- response before the rule's actions run, so that a response never opens
-- two cases for the same rule; notified_at marks what went out, alone or
-- in a digest.
CREATE TABLE alert_rules (
    id             {{pk}},
    workspace_id   BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    expression     TEXT NOT NULL,
    enabled        INTEGER NOT NULL,
    actions        TEXT NOT NULL,
    digest_minutes INTEGER NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    UNIQUE (workspace_id, name)
);

CREATE TABLE alert_firings (
    workspace_id BIGINT NOT NULL,
    rule_id      BIGINT NOT NULL,
    response_id  TEXT NOT NULL,
    case_id      BIGINT,
    fired_at     BIGINT NOT NULL,
    notified_at  BIGINT,
    PRIMARY KEY (workspace_id, rule_id, response_id)
);
CREATE INDEX alert_firings_pending ON alert_firings (workspace_id, rule_id, fired_at) WHERE notified_at IS NULL;
