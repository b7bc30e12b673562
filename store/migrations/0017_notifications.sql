-- Notifications for the live feed and its catch-up (Last-Event-ID), the
-- workspaces' webhooks and the log of every delivery attempt. Ids come
-- from the global id allocator, so a workspace's notifications ascend.
CREATE TABLE notifications (
    id           BIGINT PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    title        TEXT NOT NULL,
    body         TEXT NOT NULL,
    rule_id      BIGINT NOT NULL,
    case_id      BIGINT NOT NULL,
    response_id  TEXT NOT NULL,
    customer_id  BIGINT NOT NULL,
    data         TEXT NOT NULL,
    at           BIGINT NOT NULL
);
CREATE INDEX notifications_workspace ON notifications (workspace_id, id);

-- secret and previous_secret are AES-256-GCM sealed with the server
-- secret "webhook-secrets"; the previews are the first characters.
CREATE TABLE webhooks (
    id               BIGINT PRIMARY KEY,
    workspace_id     BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name             TEXT NOT NULL,
    url              TEXT NOT NULL,
    kind             TEXT NOT NULL,
    enabled          INTEGER NOT NULL,
    secret           TEXT NOT NULL,
    secret_preview   TEXT NOT NULL,
    previous_secret  TEXT NOT NULL,
    previous_preview TEXT NOT NULL,
    rotated_at       BIGINT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX webhooks_workspace ON webhooks (workspace_id, id);

CREATE TABLE webhook_deliveries (
    id              BIGINT PRIMARY KEY,
    workspace_id    BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    webhook_id      BIGINT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    notification_id BIGINT NOT NULL,
    attempt         INTEGER NOT NULL,
    status          TEXT NOT NULL,
    http_status     INTEGER NOT NULL,
    error           TEXT NOT NULL,
    duration_ms     BIGINT NOT NULL,
    at              BIGINT NOT NULL
);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (workspace_id, webhook_id, id);
