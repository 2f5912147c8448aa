-- stg_cost_rates
--
-- Grain: one row per (profile, component, region_group, tier_start_units).
-- Purpose: the public list prices of the seed table `cost_rates` (sql/seeds/cost_rates.csv,
-- or the operator's override), typed, with the price per billing unit and per byte derived.
--
-- Columns:
--   profile           Price list name (e.g. cloudfront-list).
--   component         egress, requests, cache_fill, origin_requests or storage.
--   unit              Billing unit as the vendor names it (GB, GiB, request, GB-month).
--   unit_bytes        Bytes in one billing unit (AWS GB = 2^30, Fastly GB = 10^9); NULL for counts.
--   tier_start_units  Monthly volume where this tier starts, in billing units.
--   tier_end_units    Monthly volume where this tier ends, in billing units; NULL = no upper end.
--   usd_per_unit      price_usd / price_per_units: USD for one billing unit.
--   usd_per_byte      usd_per_unit / unit_bytes; NULL for count-based units.

with

source as (

    select * from cost_rates

),

renamed as (

    select
        lower(trim(profile)) as profile,
        lower(trim(component)) as component,
        lower(trim(region_group)) as region_group,
        trim(unit) as unit,
        cast(unit_bytes as bigint) as unit_bytes,
        cast(tier_start_units as double) as tier_start_units,
        cast(tier_end_units as double) as tier_end_units,
        cast(price_usd as double) as price_usd,
        cast(price_per_units as double) as price_per_units,
        cast(price_usd as double) / cast(price_per_units as double) as usd_per_unit,
        cast(price_usd as double) / cast(price_per_units as double) / cast(unit_bytes as double) as usd_per_byte,
        source_url,
        cast(as_of as date) as as_of,
        note

    from source

)

select * from renamed
