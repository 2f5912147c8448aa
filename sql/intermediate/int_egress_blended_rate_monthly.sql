-- int_egress_blended_rate_monthly
--
-- Grain: one row per (month, rate_profile), for every profile in the price list.
-- Purpose: price each month's TOTAL delivered bytes (all registries, all client classes: one
-- output root is one CDN bill) on the tiered egress list, and turn the result into one
-- blended USD per byte for that month. The marts allocate egress by multiplying each class's
-- bytes by this rate, so the classes' costs add up to the tiered bill exactly, and no class's
-- cost depends on the order classes are priced in (cost-anchors.md section 4.1).
--
-- A month still in progress is priced on the bytes seen so far: its rate is higher than the
-- finished month's will be (days_with_data < days_in_month says so).
--
-- Columns:
--   month                 First day of the calendar month (UTC).
--   rate_profile          Price list the row is priced with.
--   days_with_data        Days of the month present in the usage data.
--   days_in_month         Calendar days in the month.
--   bytes_sent            Bytes delivered in the month, all registries and classes.
--   billed_units          bytes_sent in the profile's billing unit (e.g. AWS GB = 2^30 bytes).
--   egress_cost_usd       Tiered egress list price for the month's total.
--   usd_per_byte          egress_cost_usd / bytes_sent: the blended rate.
--   usd_per_billed_unit   The blended rate per billing unit (comparable to the list tiers).
--   usd_per_gb            The blended rate per 10^9 bytes.

with

usage as (

    select * from stg_usage

),

cost_rates as (

    select * from stg_cost_rates

),

monthly_bytes as (

    select
        cast(date_trunc('month', date) as date) as month,
        count(distinct date) as days_with_data,
        cast(sum(bytes_sent) as bigint) as bytes_sent

    from usage
    group by 1

),

egress_tiers as (

    select
        profile as rate_profile,
        unit_bytes,
        tier_start_units,
        tier_end_units,
        usd_per_unit

    from cost_rates
    where component = 'egress'

),

units_per_tier as (

    -- the slice of the month's volume that falls inside each tier
    select
        monthly_bytes.month,
        egress_tiers.rate_profile,
        monthly_bytes.bytes_sent,
        egress_tiers.unit_bytes,
        egress_tiers.usd_per_unit,
        greatest(
            0,
            least(
                monthly_bytes.bytes_sent / egress_tiers.unit_bytes,
                coalesce(egress_tiers.tier_end_units, monthly_bytes.bytes_sent / egress_tiers.unit_bytes)
            ) - egress_tiers.tier_start_units
        ) as units_in_tier

    from monthly_bytes
    cross join egress_tiers

),

priced as (

    select
        month,
        rate_profile,
        sum(units_in_tier) as billed_units,
        sum(units_in_tier * usd_per_unit) as egress_cost_usd

    from units_per_tier
    group by 1, 2

),

final as (

    select
        priced.month,
        priced.rate_profile,
        monthly_bytes.days_with_data,
        day(last_day(priced.month)) as days_in_month,
        monthly_bytes.bytes_sent,
        priced.billed_units,
        priced.egress_cost_usd,
        priced.egress_cost_usd / nullif(monthly_bytes.bytes_sent, 0) as usd_per_byte,
        priced.egress_cost_usd / nullif(priced.billed_units, 0) as usd_per_billed_unit,
        priced.egress_cost_usd / nullif(monthly_bytes.bytes_sent, 0) * 1e9 as usd_per_gb

    from priced
    inner join monthly_bytes using (month)

)

select * from final
