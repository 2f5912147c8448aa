-- stg_run_manifests
--
-- Grain: one row per published day (one manifest per date; a re-run replaces it).
-- Purpose: the run manifests under OUT/manifests/date=*.json, for provenance and for the
-- invariant lines read = parsed + dead-lettered + filtered.
--
-- optional_source: manifests/date=*.json
-- (The builder skips this model when no manifest exists yet.)
--
-- The columns are declared, not inferred: a key a manifest lacks reads as NULL, keys this
-- model does not know are ignored, so the manifest format can grow without breaking the view.
--
-- Columns:
--   date                 Day the run published.
--   run_id               Identifier of the run that wrote the day.
--   lines_read           Log lines read.
--   lines_parsed         Lines parsed into events.
--   lines_dead_lettered  Lines that could not be parsed (written to dead letters).
--   lines_filtered       Lines dropped on purpose (e.g. not a registry request).
--   lines_balance        lines_read - parsed - dead_lettered - filtered; 0 when the invariant holds.
--   pipeline_version     regmeter version that wrote the day (versions.regmeter, or a top-level pipeline_version).
--   input_files          Number of input files.
--   input_bytes          Total size of the input files.
--   usage_requests       Requests the published usage files hold, as counted at publish time.
--   usage_bytes_sent     Bytes the published usage files hold, as counted at publish time.

with

source as (

    select * from read_json(
        '{{ output_root }}/manifests/date=*.json',
        format = 'auto',
        hive_partitioning = false,
        filename = true,
        columns = {
            manifest_schema_version: 'INTEGER',
            date: 'DATE',
            run_id: 'VARCHAR',
            format: 'VARCHAR',
            registry: 'VARCHAR',
            pipeline_version: 'VARCHAR',
            started_at: 'TIMESTAMPTZ',
            finished_at: 'TIMESTAMPTZ',
            inputs: 'JSON',
            lines: 'JSON',
            usage: 'JSON',
            outputs: 'JSON',
            versions: 'JSON'
        }
    )

),

renamed as (

    select
        date,
        run_id,
        manifest_schema_version,
        format,
        registry,
        coalesce(pipeline_version, versions ->> 'regmeter') as pipeline_version,
        started_at,
        finished_at,
        cast(lines ->> 'read' as bigint) as lines_read,
        cast(lines ->> 'parsed' as bigint) as lines_parsed,
        cast(lines ->> 'dead_lettered' as bigint) as lines_dead_lettered,
        cast(lines ->> 'filtered' as bigint) as lines_filtered,
        cast(lines ->> 'read' as bigint)
            - cast(lines ->> 'parsed' as bigint)
            - cast(lines ->> 'dead_lettered' as bigint)
            - cast(lines ->> 'filtered' as bigint) as lines_balance,
        json_array_length(inputs) as input_files,
        cast(list_sum(cast(json_extract(inputs, '$[*].size') as bigint[])) as bigint) as input_bytes,
        cast(usage ->> 'requests' as bigint) as usage_requests,
        cast(usage ->> 'bytes_sent' as bigint) as usage_bytes_sent,
        inputs,
        lines,
        outputs,
        versions,
        filename as source_file

    from source

)

select * from renamed
