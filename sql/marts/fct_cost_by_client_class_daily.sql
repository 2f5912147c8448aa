-- fct_cost_by_client_class_daily
--
-- Grain: one row per (date, registry, client_class).
-- Purpose: who downloads, and what it costs at public list prices. Each class's share of
-- requests and bytes, and its cost per component:
--   egress      class bytes x the month's blended egress rate (tiers priced on the month's
--               total, see int_egress_blended_rate_monthly), so egress adds up to the tiered bill;
--   requests    class requests x the per-request fee;
--   cache fill  class cache-miss bytes x the fill price.
-- Prices come from the profile recorded in regmeter_settings (default cloudfront-list).
-- Storage and origin-request prices are in the price list but not allocated here yet.
--
-- Columns:
--   date                    UTC calendar day of the requests.
--   month                   First day of the month whose blended egress rate prices the row.
--   registry                Registry the requests went to (e.g. pypi, crates).
--   client_class            Who made the requests: human, ci, ai_agent, mirror, bot or unknown (see dim_client_class).
--   requests                Requests made by the class that day.
--   bytes_sent              Bytes delivered to the class (logged plus estimated).
--   gb_served               bytes_sent / 10^9 (SI gigabytes).
--   bytes_estimated         The part of bytes_sent that is estimated (the log had no byte count).
--   bytes_estimated_share   bytes_estimated / bytes_sent: how much of the class's bytes is an estimate, not a measurement.
--   cache_miss_bytes        Bytes delivered on cache misses, filled from origin.
--   request_share           The class's share of the day's requests to the registry; sums to 1 per (date, registry).
--   byte_share              The class's share of the day's bytes to the registry; sums to 1 per (date, registry); NULL when the day has no bytes.
--   declared_request_share  Share of the class's requests classified with confidence 'declared' (the client said so).
--   fingerprint_request_share  Share classified by a known client fingerprint.
--   behavioural_request_share  Share inferred from behaviour (less certain).
--   default_request_share   Share that fell to the default rule (least certain).
--   egress_usd_per_gb       Blended egress rate applied, USD per 10^9 bytes.
--   egress_cost_usd         bytes_sent x the month's blended egress rate.
--   request_cost_usd        requests x the per-request fee.
--   cache_fill_cost_usd     cache_miss_bytes x the cache-fill price.
--   cost_usd                egress_cost_usd + request_cost_usd + cache_fill_cost_usd.
--   cost_share              The class's share of the day's cost for the registry; sums to 1 per (date, registry); NULL when that cost is 0.
--   rate_profile            Price list used (a row of stg_cost_rates.profile).

with

usage as (

    select * from stg_usage

),

egress_rates as (

    select * from int_egress_blended_rate_monthly

),

cost_rates as (

    select * from stg_cost_rates

),

settings as (

    select * from regmeter_settings

),

flat_rates as (

    -- requests and cache fill are priced flat: the builder checks that the selected
    -- profile has exactly one tier for each, starting at 0 with no upper end
    select
        settings.rate_profile,
        max(cost_rates.usd_per_unit) filter (where cost_rates.component = 'requests') as usd_per_request,
        max(cost_rates.usd_per_byte) filter (where cost_rates.component = 'cache_fill') as cache_fill_usd_per_byte

    from settings
    inner join cost_rates on cost_rates.profile = settings.rate_profile
    group by 1

),

class_daily as (

    select
        date,
        cast(date_trunc('month', date) as date) as month,
        registry,
        client_class,
        cast(sum(requests) as bigint) as requests,
        cast(sum(bytes_sent) as bigint) as bytes_sent,
        cast(sum(bytes_estimated) as bigint) as bytes_estimated,
        cast(sum(cache_miss_bytes) as bigint) as cache_miss_bytes,
        cast(coalesce(sum(requests) filter (where confidence = 'declared'), 0) as bigint) as declared_requests,
        cast(coalesce(sum(requests) filter (where confidence = 'fingerprint'), 0) as bigint) as fingerprint_requests,
        cast(coalesce(sum(requests) filter (where confidence = 'behavioural'), 0) as bigint) as behavioural_requests,
        cast(coalesce(sum(requests) filter (where confidence = 'default'), 0) as bigint) as default_requests

    from usage
    group by 1, 2, 3, 4

),

costed as (

    select
        class_daily.*,
        flat_rates.rate_profile,
        coalesce(egress_rates.usd_per_byte, 0) * 1e9 as egress_usd_per_gb,
        class_daily.bytes_sent * coalesce(egress_rates.usd_per_byte, 0) as egress_cost_usd,
        class_daily.requests * flat_rates.usd_per_request as request_cost_usd,
        class_daily.cache_miss_bytes * flat_rates.cache_fill_usd_per_byte as cache_fill_cost_usd

    from class_daily
    cross join flat_rates
    left join egress_rates
        on egress_rates.month = class_daily.month
        and egress_rates.rate_profile = flat_rates.rate_profile

),

final as (

    select
        date,
        month,
        registry,
        client_class,
        requests,
        bytes_sent,
        bytes_sent / 1e9 as gb_served,
        bytes_estimated,
        coalesce(bytes_estimated / nullif(bytes_sent, 0), 0) as bytes_estimated_share,
        cache_miss_bytes,
        requests / nullif(sum(requests) over day_registry, 0) as request_share,
        bytes_sent / nullif(sum(bytes_sent) over day_registry, 0) as byte_share,
        declared_requests / nullif(requests, 0) as declared_request_share,
        fingerprint_requests / nullif(requests, 0) as fingerprint_request_share,
        behavioural_requests / nullif(requests, 0) as behavioural_request_share,
        default_requests / nullif(requests, 0) as default_request_share,
        egress_usd_per_gb,
        egress_cost_usd,
        request_cost_usd,
        cache_fill_cost_usd,
        egress_cost_usd + request_cost_usd + cache_fill_cost_usd as cost_usd,
        (egress_cost_usd + request_cost_usd + cache_fill_cost_usd)
            / nullif(sum(egress_cost_usd + request_cost_usd + cache_fill_cost_usd) over day_registry, 0) as cost_share,
        rate_profile

    from costed
    window day_registry as (partition by date, registry)

)

select * from final
