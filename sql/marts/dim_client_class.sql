-- dim_client_class
--
-- Grain: one row per client_class (six rows).
-- Purpose: what each class means, for report labels and joins. human, ci and ai_agent are
-- the classes the cost models are about; mirror, bot and unknown keep every byte accounted for.
--
-- Columns:
--   client_class         The class as it appears in usage data.
--   label                Human-readable name for reports.
--   description          What traffic the class holds and how it is recognised.
--   is_cost_focus        True for the classes the cost question is about (human, ci, ai_agent).
--   sort_order           Display order in reports.

with

classes as (

    select * from (
        values
            (1, 'human', 'Human', 'A person running an installer or browsing by hand, at an interactive pace.', true),
            (2, 'ci', 'CI', 'Continuous-integration and build systems. pip and uv declare "ci":true when CI, BUILD_ID, BUILD_BUILDID or PIP_IS_CI is set (a lower bound); runners are also recognised by fingerprint and behaviour.', true),
            (3, 'ai_agent', 'AI agent', 'Coding agents and other AI tools installing or resolving packages, found by explicit markers where tools send them and by behaviour otherwise (bursts, 404s on names that do not exist).', true),
            (4, 'mirror', 'Mirror', 'Mirrors and repository proxies (bandersnatch, devpi, Artifactory, Nexus, ...) copying the registry for others.', false),
            (5, 'bot', 'Bot', 'Crawlers, scanners and monitors, including AI training crawlers.', false),
            (6, 'unknown', 'Unknown', 'Bare HTTP libraries, empty user agents and anything no rule recognised.', false)
    ) as t (sort_order, client_class, label, description, is_cost_focus)

),

final as (

    select
        client_class,
        label,
        description,
        is_cost_focus,
        sort_order

    from classes

)

select * from final
