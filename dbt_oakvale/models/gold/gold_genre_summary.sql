with

movie_genres as (

    select * from {{ ref('silver_movie_genres') }}

),

movie_performance as (

    select * from {{ ref('gold_movie_performance') }}

),

aggregated as (

    select
        movie_genres.genre,
        count(*) as movie_count,
        sum(movie_performance.box_office_usd) as total_box_office_usd,
        avg(movie_performance.box_office_usd) as avg_box_office_usd,
        sum(movie_performance.budget_usd) as total_budget_usd,
        avg(movie_performance.roi) as avg_roi,
        avg(movie_performance.runtime_minutes) as avg_runtime_minutes,
        sum(movie_performance.review_count) as review_count,
        sum(movie_performance.avg_rating * movie_performance.rated_review_count)
        / nullif(sum(movie_performance.rated_review_count), 0) as avg_rating
    from movie_genres
    inner join movie_performance
        on movie_genres.movie_id = movie_performance.movie_id
    group by movie_genres.genre

),

ranked as (

    select
        *,
        rank() over (order by total_box_office_usd desc nulls last) as box_office_rank
    from aggregated

)

select * from ranked
