-- Durable jobs: emails, webhooks, delayed invitations. See store/job.go.
-- A job is claimable while pending or failed with run_at due, or while
-- running with locked_until past (its worker died).

CREATE TABLE jobs (
    id           {{pk}},
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL,
    unique_key   TEXT,
    status       TEXT NOT NULL,
    run_at       BIGINT NOT NULL,
    attempts     INTEGER NOT NULL,
    max_attempts INTEGER NOT NULL,
    last_error   TEXT NOT NULL,
    locked_by    TEXT,
    claim_token  TEXT,
    locked_until BIGINT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    finished_at  BIGINT
);
CREATE INDEX jobs_due ON jobs (status, run_at);
CREATE INDEX jobs_lease ON jobs (status, locked_until);
CREATE INDEX jobs_workspace ON jobs (workspace_id, id);
CREATE UNIQUE INDEX jobs_unique ON jobs (workspace_id, kind, unique_key)
    WHERE unique_key IS NOT NULL AND status IN ('pending', 'failed', 'running');
