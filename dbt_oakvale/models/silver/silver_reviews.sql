{{
    config(
        unique_key='review_id',
        partitioned_by=['month(review_ts)']
    )
}}

{%- set version_order = ['review_ts', '_ingested_at', '_source_file', '_source_line'] %}

with

source as (

    select * from {{ source('bronze', 'reviews') }}
    {% if is_incremental() %}
        where
            _ingested_at > (select max(_ingested_at) from {{ this }})
            -- reviews that arrived before their movie: read again once the movie reaches silver
            or {{ oakvale.blank_to_null('movie_id') }} in (
                select movie_id from {{ ref('silver_movies') }}
                where _ingested_at > (select max(_ingested_at) from {{ this }})
            )
    {% endif %}

),

movies as (

    select movie_id from {{ ref('silver_movies') }}

),

renamed as (

    select
        ---------- ids
        {{ oakvale.blank_to_null('review_id') }} as review_id,
        {{ oakvale.blank_to_null('movie_id') }} as movie_id,
        {{ oakvale.blank_to_null('user_id') }} as user_id,

        ---------- strings
        lower({{ oakvale.blank_to_null('source') }}) as review_source,
        {{ oakvale.blank_to_null('rating') }} as rating_raw,
        {{ oakvale.blank_to_null('review_ts') }} as review_ts_raw,
        review_ts as review_ts_text,  -- untrimmed for the timestamp parser (the engines' trims differ)
        lower(tags) as tags_raw,

        ---------- metadata
        _rescued_data,
        _source_file,
        _source_line,
        _batch_id,
        _ingest_date,
        cast(_ingested_at as {{ dbt.type_timestamp() }}) as _ingested_at

    from source

),

typed as (

    select
        *,
        -- '4/5' and '8/10' carry the scale after the slash; the value before it is on the source's scale
        {{ oakvale.parse_number(dbt.split_part('rating_raw', "'/'", 1), 'double') }} as rating_value,
        {{ oakvale.json_string_array('tags_raw') }} as tags,
        {{ oakvale.safe_to_timestamp('review_ts_text') }} as review_ts
    from renamed
    where review_id is not null

),

deduplicated as (

    select *
    from (
        select
            *,
            row_number() over (
                partition by review_id
                order by
                    review_ts desc nulls last,
                    _ingested_at desc,
                    _source_file desc,
                    _source_line desc nulls last,
                    rating_raw desc nulls last,
                    tags_raw desc nulls last
            ) as version_rank
        from typed
    ) as ranked
    where version_rank = 1

),

-- on an incremental run, a new version replaces the stored one only when it ranks before it in
-- the deduplication's order (ties past _source_line are the same line)
not_superseded as (

    select deduplicated.*
    from deduplicated
    {% if is_incremental() %}
        left join {{ this }} as existing_version
            on deduplicated.review_id = existing_version.review_id
        where
            existing_version.review_id is null
            or {{ oakvale.ranks_before('deduplicated', 'existing_version', version_order) }}
    {% endif %}

),

without_orphans as (

    select not_superseded.*
    from not_superseded
    inner join movies
        on not_superseded.movie_id = movies.movie_id

),

validated as (

    select
        *,
        case
            when review_source = 'critic' then rating_value between 0 and 10
            when review_source = 'audience'
                then rating_value between 0.5 and 5 and rating_value * 2 = round(rating_value * 2)
            else false
        end as is_rating_in_range
    from without_orphans

),

scaled as (

    select
        ---------- ids
        review_id,
        movie_id,
        user_id,

        ---------- strings
        case when review_source in ('critic', 'audience') then review_source end as review_source,
        tags,

        ---------- numerics: one 0-10 scale (audience 0.5-5 doubled); out of range nulled
        case
            when is_rating_in_range and review_source = 'critic' then rating_value
            when is_rating_in_range and review_source = 'audience' then rating_value * 2
        end as rating_normalized,
        case when is_rating_in_range then rating_value end as rating_original,

        ---------- flags
        (rating_raw is not null and not coalesce(is_rating_in_range, false)) as is_rating_invalid,
        (review_ts_raw is not null and review_ts is null) as is_review_ts_invalid,
        (_rescued_data is not null) as has_rescued_data,

        ---------- timestamps and lineage
        review_ts,
        cast({{ dbt.date_trunc('month', 'review_ts') }} as date) as review_month,
        _source_file,
        _source_line,
        _batch_id,
        _ingest_date,
        _ingested_at

    from validated

)

select * from scaled
