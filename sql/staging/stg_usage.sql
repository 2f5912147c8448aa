-- stg_usage
--
-- Grain: one row per usage aggregate key (date, hour, registry, request_kind, project,
-- client_class, client_subclass, confidence, installer_name, country_code, asn,
-- cache_status, status_class), exactly as the daily job wrote it.
-- Purpose: the one place that reads OUT/usage/date=*/*.parquet; everything else selects from here.
--
-- hive_partitioning = false: the files carry their own `date` column and the folder key has
-- the same name; the file's column is the authoritative one, so the folder name is not read.
-- union_by_name = true: files written under an older schema version keep reading
-- (columns they lack come back NULL).
--
-- Columns:
--   date              UTC calendar day of the requests (from the file, not the folder name).
--   hour              UTC hour 0-23.
--   requests          Requests in the row.
--   bytes_sent        Bytes delivered: logged bytes plus estimated bytes.
--   bytes_estimated   The part of bytes_sent that is estimated (the log had no byte count).
--   cache_miss_bytes  Bytes served on cache misses (filled from origin).
--   clients           Distinct clients in the row; NOT additive across rows.
--   source_file       The Parquet file the row came from.

with

source as (

    select * from read_parquet(
        '{{ output_root }}/usage/date=*/*.parquet',
        hive_partitioning = false,
        union_by_name = true,
        filename = true
    )

),

renamed as (

    select
        -- keys
        cast(date as date) as date,
        cast(hour as integer) as hour,
        cast(registry as varchar) as registry,
        cast(request_kind as varchar) as request_kind,
        cast(project as varchar) as project,
        cast(client_class as varchar) as client_class,
        cast(client_subclass as varchar) as client_subclass,
        cast(confidence as varchar) as confidence,
        cast(installer_name as varchar) as installer_name,
        cast(country_code as varchar) as country_code,
        cast(asn as bigint) as asn,
        cast(cache_status as varchar) as cache_status,
        cast(status_class as varchar) as status_class,

        -- metrics
        cast(requests as bigint) as requests,
        cast(bytes_sent as bigint) as bytes_sent,
        cast(bytes_estimated as bigint) as bytes_estimated,
        cast(cache_miss_bytes as bigint) as cache_miss_bytes,
        cast(clients as bigint) as clients,

        -- provenance
        filename as source_file

    from source

)

select * from renamed
