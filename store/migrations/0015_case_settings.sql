-- Each workspace's case settings: business calendar, SLA per priority,
-- root causes and escalation policy, as one JSON document. A workspace
-- without a row uses the defaults of sla.DefaultSettings.
CREATE TABLE case_settings (
    workspace_id BIGINT PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    settings     TEXT NOT NULL,
    updated_at   BIGINT NOT NULL
);
