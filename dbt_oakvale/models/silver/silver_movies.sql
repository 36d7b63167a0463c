{{
    config(
        unique_key='movie_id',
        partitioned_by=['bucket(16, movie_id)']
    )
}}

{%- set version_order = ['updated_at', '_ingested_at', '_source_file', '_source_line'] %}

with

source as (

    select * from {{ source('bronze', 'movies') }}
    {% if is_incremental() %}
        where _ingested_at > (select max(_ingested_at) from {{ this }})
    {% endif %}

),

genre_map as (

    select distinct
        {{ oakvale.category_key('variant') }} as variant_key,
        canonical as genre
    from {{ ref('genre_variants') }}

),

studio_map as (

    select distinct
        {{ oakvale.category_key('variant') }} as variant_key,
        canonical as studio
    from {{ ref('studio_variants') }}

),

mpaa_rating_map as (

    select distinct
        {{ oakvale.category_key('variant') }} as variant_key,
        canonical as mpaa_rating
    from {{ ref('mpaa_rating_variants') }}

),

renamed as (

    select
        ---------- ids
        {{ oakvale.blank_to_null('movie_id') }} as movie_id,

        ---------- strings
        {{ oakvale.blank_to_null('title') }} as title,
        {{ oakvale.blank_to_null('studio') }} as studio_raw,
        {{ oakvale.blank_to_null('mpaa_rating') }} as mpaa_rating_raw,
        lower({{ oakvale.blank_to_null('original_language') }}) as original_language,
        upper({{ oakvale.blank_to_null('country') }}) as country,
        {{ oakvale.blank_to_null('director') }} as director,
        genres as genres_raw,
        "cast" as cast_raw,
        {{ oakvale.blank_to_null('release_date') }} as release_date_raw,
        {{ oakvale.blank_to_null('runtime_minutes') }} as runtime_minutes_raw,
        {{ oakvale.blank_to_null('budget_usd') }} as budget_usd_raw,
        {{ oakvale.blank_to_null('box_office_usd') }} as box_office_usd_raw,
        {{ oakvale.blank_to_null('updated_at') }} as updated_at_raw,
        -- untrimmed for the date and timestamp parsers: DuckDB's and Trino's trim drop different blanks
        release_date as release_date_text,
        updated_at as updated_at_text,

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
        {{ oakvale.json_string_array('genres_raw') }} as genre_variants,
        {{ oakvale.json_string_array('cast_raw') }} as cast_members,
        {{ oakvale.safe_to_date('release_date_text') }} as release_date_parsed,
        {{ oakvale.parse_number('runtime_minutes_raw', 'integer') }} as runtime_minutes_parsed,
        {{ oakvale.parse_money('budget_usd_raw') }} as budget_usd_parsed,
        {{ oakvale.parse_money('box_office_usd_raw') }} as box_office_usd_parsed,
        {{ oakvale.safe_to_timestamp('updated_at_text') }} as updated_at
    from renamed
    where movie_id is not null

),

deduplicated as (

    select *
    from (
        select
            *,
            row_number() over (
                partition by movie_id
                order by
                    updated_at desc nulls last,
                    _ingested_at desc,
                    _source_file desc,
                    _source_line desc nulls last,
                    box_office_usd_parsed desc nulls last,
                    title desc nulls last
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
            on deduplicated.movie_id = existing_version.movie_id
        where
            existing_version.movie_id is null
            or {{ oakvale.ranks_before('deduplicated', 'existing_version', version_order) }}
    {% endif %}

),

genre_elements as (

    select
        not_superseded.movie_id,
        genre_element.genre_variant,
        genre_element.genre_position
    from not_superseded
    cross join
        unnest(not_superseded.genre_variants)
        with ordinality as genre_element (genre_variant, genre_position)

),

genres_mapped as (

    select
        genre_elements.movie_id,
        genre_map.genre,
        min(genre_elements.genre_position) as first_position,
        count(*) as variant_count
    from genre_elements
    left join genre_map
        on {{ oakvale.category_key('genre_elements.genre_variant') }} = genre_map.variant_key
    group by genre_elements.movie_id, genre_map.genre

),

genres_per_movie as (

    select
        movie_id,
        array_agg(genre order by first_position) filter (where genre is not null) as genres,
        sum(case when genre is null then variant_count else 0 end) as unmapped_genre_count
    from genres_mapped
    group by movie_id

),

normalized as (

    select
        not_superseded.*,
        genres_per_movie.genres,
        coalesce(genres_per_movie.unmapped_genre_count, 0) as unmapped_genre_count,
        studio_map.studio,
        mpaa_rating_map.mpaa_rating
    from not_superseded
    left join genres_per_movie
        on not_superseded.movie_id = genres_per_movie.movie_id
    left join studio_map
        on {{ oakvale.category_key('not_superseded.studio_raw') }} = studio_map.variant_key
    left join mpaa_rating_map
        on {{ oakvale.category_key('not_superseded.mpaa_rating_raw') }} = mpaa_rating_map.variant_key

),

validated as (

    select
        ---------- ids
        movie_id,

        ---------- strings
        title,
        studio,
        mpaa_rating,
        original_language,
        country,
        director,
        genres,
        cast_members,

        ---------- numerics (invalid values nulled)
        case
            when runtime_minutes_parsed between 1 and 1000 then runtime_minutes_parsed
        end as runtime_minutes,
        case when budget_usd_parsed >= 0 then budget_usd_parsed end as budget_usd,
        case when box_office_usd_parsed >= 0 then box_office_usd_parsed end as box_office_usd,

        ---------- dates
        release_date_parsed as release_date,
        cast(extract(year from release_date_parsed) as integer) as release_year,

        ---------- flags (a value was sent but could not be used)
        (runtime_minutes_raw is not null and coalesce(runtime_minutes_parsed not between 1 and 1000, true))
            as is_runtime_invalid,
        (budget_usd_raw is not null and coalesce(budget_usd_parsed < 0, true)) as is_budget_invalid,
        (box_office_usd_raw is not null and coalesce(box_office_usd_parsed < 0, true))
            as is_box_office_invalid,
        (release_date_raw is not null and release_date_parsed is null) as is_release_date_invalid,
        (studio_raw is not null and studio is null) as is_studio_unmapped,
        (mpaa_rating_raw is not null and mpaa_rating is null) as is_mpaa_rating_invalid,
        (unmapped_genre_count > 0) as has_unmapped_genre,
        (updated_at_raw is not null and updated_at is null) as is_updated_at_invalid,
        (_rescued_data is not null) as has_rescued_data,

        ---------- timestamps and lineage
        updated_at,
        _source_file,
        _source_line,
        _batch_id,
        _ingest_date,
        _ingested_at

    from normalized

)

select * from validated
