-- Incremental aggregates of completed responses, so that dashboards never
-- scan raw responses. One row per workspace, local day (yyyymmdd in the
-- workspace's time zone), survey, touchpoint (0 for none), channel and
-- locale, holding the sufficient statistics of every feedback metric:
-- counts, sums and sums of squares, all integers so that a recount from
-- raw responses matches exactly. The store updates them in the same
-- transaction as the responses they count; `cxm rollup verify` recounts.
CREATE TABLE response_rollups (
    workspace_id  BIGINT NOT NULL,
    day           INTEGER NOT NULL,
    survey_id     BIGINT NOT NULL,
    touchpoint_id BIGINT NOT NULL,
    channel       TEXT NOT NULL,
    locale        TEXT NOT NULL,
    responses     BIGINT NOT NULL,
    promoters     BIGINT NOT NULL,
    passives      BIGINT NOT NULL,
    detractors    BIGINT NOT NULL,
    csat_n        BIGINT NOT NULL,
    csat_top2     BIGINT NOT NULL,
    csat_sum      BIGINT NOT NULL,
    csat_sumsq    BIGINT NOT NULL,
    ces_n         BIGINT NOT NULL,
    ces_easy      BIGINT NOT NULL,
    ces_sum       BIGINT NOT NULL,
    ces_sumsq     BIGINT NOT NULL,
    rating_n      BIGINT NOT NULL,
    rating_sum    BIGINT NOT NULL,
    rating_sumsq  BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, day, survey_id, touchpoint_id, channel, locale)
);
CREATE INDEX response_rollups_touchpoint ON response_rollups (workspace_id, touchpoint_id, day);
