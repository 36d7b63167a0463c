{{
    config(
        materialized='table'
    )
}}

{#- Every bronze row is accounted for: kept in silver or filtered for a counted reason.
    Counts are taken independently of the silver models' own ranking logic, so a silver model
    that loses or invents rows breaks the equality tested in silver_reconciliation.yml. -#}

{%- set movie_fields = [
    'movie_id', 'title', 'genres', 'studio', 'release_date', 'runtime_minutes', 'budget_usd',
    'box_office_usd', 'mpaa_rating', 'original_language', 'country', 'director', '"cast"',
    'updated_at', '_rescued_data'
] -%}
{%- set review_fields = [
    'review_id', 'movie_id', 'user_id', 'rating', 'review_ts', 'source', 'tags', '_rescued_data'
] -%}

with

bronze_movies as (

    select
        {{ oakvale.blank_to_null('movie_id') }} as record_key,
        {{ movie_fields | join(', ') }}
    from {{ source('bronze', 'movies') }}

),

bronze_reviews as (

    select
        {{ oakvale.blank_to_null('review_id') }} as record_key,
        {{ oakvale.blank_to_null('movie_id') }} as reviewed_movie_id,
        {{ review_fields | join(', ') }}
    from {{ source('bronze', 'reviews') }}

),

movie_counts as (

    select
        'movies' as dataset,
        count(*) as bronze_rows,
        sum(case when record_key is null then 1 else 0 end) as missing_key_rows,
        count(distinct record_key) as distinct_keys
    from bronze_movies

),

movie_distinct_rows as (

    select count(*) as distinct_rows
    from (
        select distinct {{ movie_fields | join(', ') }}
        from bronze_movies
        where record_key is not null
    ) as distinct_movies

),

review_counts as (

    select
        'reviews' as dataset,
        count(*) as bronze_rows,
        sum(case when record_key is null then 1 else 0 end) as missing_key_rows,
        count(distinct record_key) as distinct_keys
    from bronze_reviews

),

review_distinct_rows as (

    select count(*) as distinct_rows
    from (
        select distinct {{ review_fields | join(', ') }}
        from bronze_reviews
        where record_key is not null
    ) as distinct_reviews

),

-- a review is an orphan when no version of it names a movie that silver holds
review_keys_with_movie as (

    select count(distinct bronze_reviews.record_key) as keys_with_movie
    from bronze_reviews
    inner join {{ ref('silver_movies') }} as movies
        on bronze_reviews.reviewed_movie_id = movies.movie_id
    where bronze_reviews.record_key is not null

),

-- file-level rejects (a whole raw file quarantined: corrupt, missing, unreadable) are not lines
movie_rejects as (

    select
        sum(case when _reject_reason not in ('corrupt_file', 'missing_file', 'unreadable_file') then 1 else 0 end)
            as rejected_lines,
        sum(case when _reject_reason = 'malformed_json' then 1 else 0 end) as rejected_malformed_json,
        sum(case when _reject_reason = 'not_a_json_object' then 1 else 0 end) as rejected_not_a_json_object,
        sum(case when _reject_reason = 'invalid_utf8' then 1 else 0 end) as rejected_invalid_utf8,
        sum(case when _reject_reason in ('corrupt_file', 'missing_file', 'unreadable_file') then 1 else 0 end)
            as quarantined_files
    from {{ source('bronze', 'movies_rejects') }}

),

-- file-level rejects (a whole raw file quarantined: corrupt, missing, unreadable) are not lines
review_rejects as (

    select
        sum(case when _reject_reason not in ('corrupt_file', 'missing_file', 'unreadable_file') then 1 else 0 end)
            as rejected_lines,
        sum(case when _reject_reason = 'malformed_json' then 1 else 0 end) as rejected_malformed_json,
        sum(case when _reject_reason = 'not_a_json_object' then 1 else 0 end) as rejected_not_a_json_object,
        sum(case when _reject_reason = 'invalid_utf8' then 1 else 0 end) as rejected_invalid_utf8,
        sum(case when _reject_reason in ('corrupt_file', 'missing_file', 'unreadable_file') then 1 else 0 end)
            as quarantined_files
    from {{ source('bronze', 'reviews_rejects') }}

),

silver_movie_counts as (

    select
        count(*) as silver_rows,
        sum(case when is_runtime_invalid or is_budget_invalid or is_box_office_invalid
                or is_release_date_invalid or is_studio_unmapped or is_mpaa_rating_invalid
                or has_unmapped_genre or is_updated_at_invalid then 1
            else 0
        end) as silver_rows_flagged
    from {{ ref('silver_movies') }}

),

silver_review_counts as (

    select
        count(*) as silver_rows,
        sum(case when is_rating_invalid or is_review_ts_invalid then 1 else 0 end) as silver_rows_flagged
    from {{ ref('silver_reviews') }}

),

movies_reconciled as (

    select
        movie_counts.dataset,
        coalesce(movie_rejects.rejected_lines, 0) + movie_counts.bronze_rows as raw_lines,
        coalesce(movie_rejects.rejected_lines, 0) as rejected_lines,
        coalesce(movie_rejects.rejected_malformed_json, 0) as rejected_malformed_json,
        coalesce(movie_rejects.rejected_not_a_json_object, 0) as rejected_not_a_json_object,
        coalesce(movie_rejects.rejected_invalid_utf8, 0) as rejected_invalid_utf8,
        coalesce(movie_rejects.quarantined_files, 0) as quarantined_files,
        movie_counts.bronze_rows,
        silver_movie_counts.silver_rows,
        coalesce(silver_movie_counts.silver_rows_flagged, 0) as silver_rows_flagged,
        coalesce(movie_counts.missing_key_rows, 0) as filtered_missing_key,
        movie_counts.bronze_rows - coalesce(movie_counts.missing_key_rows, 0)
        - movie_distinct_rows.distinct_rows as filtered_exact_duplicate,
        movie_distinct_rows.distinct_rows - movie_counts.distinct_keys as filtered_superseded,
        cast(0 as bigint) as filtered_orphan
    from movie_counts
    cross join movie_distinct_rows
    cross join movie_rejects
    cross join silver_movie_counts

),

reviews_reconciled as (

    select
        review_counts.dataset,
        coalesce(review_rejects.rejected_lines, 0) + review_counts.bronze_rows as raw_lines,
        coalesce(review_rejects.rejected_lines, 0) as rejected_lines,
        coalesce(review_rejects.rejected_malformed_json, 0) as rejected_malformed_json,
        coalesce(review_rejects.rejected_not_a_json_object, 0) as rejected_not_a_json_object,
        coalesce(review_rejects.rejected_invalid_utf8, 0) as rejected_invalid_utf8,
        coalesce(review_rejects.quarantined_files, 0) as quarantined_files,
        review_counts.bronze_rows,
        silver_review_counts.silver_rows,
        coalesce(silver_review_counts.silver_rows_flagged, 0) as silver_rows_flagged,
        coalesce(review_counts.missing_key_rows, 0) as filtered_missing_key,
        review_counts.bronze_rows - coalesce(review_counts.missing_key_rows, 0)
        - review_distinct_rows.distinct_rows as filtered_exact_duplicate,
        review_distinct_rows.distinct_rows - review_counts.distinct_keys as filtered_superseded,
        review_counts.distinct_keys - review_keys_with_movie.keys_with_movie as filtered_orphan
    from review_counts
    cross join review_distinct_rows
    cross join review_keys_with_movie
    cross join review_rejects
    cross join silver_review_counts

),

unioned as (

    select * from movies_reconciled
    union all
    select * from reviews_reconciled

),

final as (

    select
        *,
        filtered_missing_key + filtered_exact_duplicate + filtered_superseded + filtered_orphan
            as filtered_rows
    from unioned

)

select * from final
