with

movies as (

    select * from {{ ref('silver_movies') }}

),

primary_genres as (

    select
        movie_id,
        genre as primary_genre
    from {{ ref('silver_movie_genres') }}
    where is_primary_genre

),

review_stats as (

    select
        movie_id,
        count(*) as review_count,
        count(rating_normalized) as rated_review_count,
        avg(rating_normalized) as avg_rating
    from {{ ref('silver_reviews') }}
    group by movie_id

),

joined as (

    select
        ---------- ids
        movies.movie_id,

        ---------- strings
        movies.title,
        primary_genres.primary_genre,
        movies.studio,
        movies.mpaa_rating,

        ---------- numerics
        movies.release_year,
        movies.runtime_minutes,
        movies.budget_usd,
        movies.box_office_usd,
        case
            when movies.budget_usd > 0
                then cast(movies.box_office_usd - movies.budget_usd as double) / movies.budget_usd
        end as roi,
        coalesce(review_stats.review_count, 0) as review_count,
        coalesce(review_stats.rated_review_count, 0) as rated_review_count,
        review_stats.avg_rating,

        ---------- dates
        movies.release_date,
        movies.updated_at

    from movies
    left join primary_genres
        on movies.movie_id = primary_genres.movie_id
    left join review_stats
        on movies.movie_id = review_stats.movie_id

),

ranked as (

    select
        *,
        case
            when primary_genre is not null
                then row_number() over (
                        partition by primary_genre
                        order by box_office_usd desc nulls last, movie_id asc
                    )
        end as rank_in_genre
    from joined

)

select * from ranked
