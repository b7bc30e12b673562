-- Listening channels: the widget's public key and origins, contact
-- frequency, server secrets for signed links, and invitations.
-- Portable SQL for SQLite and PostgreSQL; see store/sql.go for the conventions.

-- public_key is filled for existing workspaces by the store after migrating
-- (it must be random, and the two databases make randomness differently).
ALTER TABLE workspaces ADD COLUMN public_key TEXT;
ALTER TABLE workspaces ADD COLUMN allowed_origins TEXT NOT NULL DEFAULT '[]';
ALTER TABLE workspaces ADD COLUMN contact_frequency_days INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX workspaces_public_key ON workspaces (public_key);

-- server_secrets holds keys every node shares, such as the key that signs
-- invitation links; each is made once, at random, on first use.
CREATE TABLE server_secrets (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- invitations asks one customer to answer one survey through one channel.
-- A triggered invitation names its interaction; the unique index makes a
-- replayed trigger a no-op. contacted_at is when the customer was really
-- asked (the email went out, the widget showed): contact-frequency rules
-- count those. A skipped invitation keeps why in skip_reason.
CREATE TABLE invitations (
    id             {{pk}},
    workspace_id   BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    survey_id      BIGINT NOT NULL,
    customer_id    BIGINT,
    touchpoint_key TEXT NOT NULL,
    channel        TEXT NOT NULL,
    interaction_id BIGINT,
    locale         TEXT NOT NULL,
    hidden         TEXT NOT NULL,
    email          TEXT NOT NULL,
    status         TEXT NOT NULL,
    skip_reason    TEXT NOT NULL,
    last_error     TEXT NOT NULL,
    response_id    TEXT,
    due_at         BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL,
    contacted_at   BIGINT,
    sent_at        BIGINT,
    reminded_at    BIGINT,
    opened_at      BIGINT,
    answered_at    BIGINT,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX invitations_survey ON invitations (workspace_id, survey_id, id);
CREATE INDEX invitations_customer ON invitations (workspace_id, customer_id, contacted_at);
CREATE INDEX invitations_due ON invitations (workspace_id, status, due_at);
CREATE UNIQUE INDEX invitations_trigger ON invitations (workspace_id, survey_id, interaction_id)
    WHERE interaction_id IS NOT NULL;
