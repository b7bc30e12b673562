-- Core platform: accounts, journeys, touchpoints, customers, interactions.
-- Portable SQL for SQLite and PostgreSQL; see store/sql.go for the conventions.

CREATE TABLE id_blocks (
    name    TEXT PRIMARY KEY,
    next_id BIGINT NOT NULL
);
INSERT INTO id_blocks (name, next_id) VALUES ('id', 1000);

CREATE TABLE workspaces (
    id             {{pk}},
    slug           TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    time_zone      TEXT NOT NULL,
    default_locale TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);

CREATE TABLE users (
    id            {{pk}},
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    locale        TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

CREATE TABLE members (
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX members_user ON members (user_id);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_keys (
    id           {{pk}},
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL UNIQUE,
    scope        TEXT NOT NULL,
    secret_hash  TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX api_keys_workspace ON api_keys (workspace_id);

CREATE TABLE journeys (
    id           {{pk}},
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    key          TEXT NOT NULL,
    name         TEXT NOT NULL,
    is_default   INTEGER NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    UNIQUE (workspace_id, key)
);

CREATE TABLE stages (
    id           {{pk}},
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    journey_id   BIGINT NOT NULL REFERENCES journeys (id) ON DELETE CASCADE,
    key          TEXT NOT NULL,
    position     INTEGER NOT NULL,
    names        TEXT NOT NULL,
    UNIQUE (journey_id, key)
);
CREATE INDEX stages_workspace ON stages (workspace_id);

CREATE TABLE touchpoints (
    id           {{pk}},
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    key          TEXT NOT NULL,
    name         TEXT NOT NULL,
    stage_id     BIGINT NOT NULL REFERENCES stages (id),
    channel      TEXT NOT NULL,
    online       INTEGER NOT NULL,
    description  TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    UNIQUE (workspace_id, key)
);
CREATE INDEX touchpoints_stage ON touchpoints (stage_id);

CREATE TABLE customers (
    id                  {{pk}},
    workspace_id        BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    external_id         TEXT,
    email               TEXT NOT NULL,
    name                TEXT NOT NULL,
    locale              TEXT NOT NULL,
    birthday            TEXT NOT NULL,
    attributes          TEXT NOT NULL,
    consent_email       INTEGER NOT NULL,
    consent_analytics   INTEGER NOT NULL,
    first_touchpoint_id BIGINT,
    first_seen_at       BIGINT,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);
CREATE UNIQUE INDEX customers_external ON customers (workspace_id, external_id);
CREATE INDEX customers_email ON customers (workspace_id, email);
CREATE INDEX customers_first_touchpoint ON customers (workspace_id, first_touchpoint_id);

-- identities resolves the ids a customer is known by: their external id,
-- the external ids of profiles merged into them, and stitched anonymous ids.
CREATE TABLE identities (
    workspace_id BIGINT NOT NULL,
    kind         TEXT NOT NULL,
    value        TEXT NOT NULL,
    customer_id  BIGINT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, kind, value)
);
CREATE INDEX identities_customer ON identities (customer_id);

CREATE TABLE customer_merges (
    id           {{pk}},
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    into_id      BIGINT NOT NULL,
    from_id      BIGINT NOT NULL,
    from_profile TEXT NOT NULL,
    merged_at    BIGINT NOT NULL
);
CREATE INDEX customer_merges_into ON customer_merges (workspace_id, into_id);

-- interactions is the hot table. It carries no foreign keys: the store
-- checks references in the same transaction, and deleting a customer or
-- touchpoint must not scan it.
CREATE TABLE interactions (
    id            {{pk}},
    workspace_id  BIGINT NOT NULL,
    event_id      TEXT NOT NULL,
    customer_id   BIGINT,
    anonymous_id  TEXT,
    touchpoint_id BIGINT NOT NULL,
    type          TEXT NOT NULL,
    occurred_at   BIGINT NOT NULL,
    value         DOUBLE PRECISION,
    properties    TEXT,
    received_at   BIGINT NOT NULL
);
CREATE UNIQUE INDEX interactions_event ON interactions (workspace_id, event_id);
CREATE INDEX interactions_customer ON interactions (workspace_id, customer_id, occurred_at);
CREATE INDEX interactions_anonymous ON interactions (workspace_id, anonymous_id) WHERE anonymous_id IS NOT NULL;
CREATE INDEX interactions_touchpoint ON interactions (workspace_id, touchpoint_id, occurred_at);
