with

movie_performance as (

    select * from {{ ref('gold_movie_performance') }}
    where release_year is not null

),

aggregated as (

    select
        release_year,
        count(*) as movie_count,
        sum(box_office_usd) as total_box_office_usd,
        avg(box_office_usd) as avg_box_office_usd,
        sum(budget_usd) as total_budget_usd,
        sum(review_count) as review_count,
        sum(avg_rating * rated_review_count) / nullif(sum(rated_review_count), 0) as avg_rating
    from movie_performance
    group by release_year

),

with_previous_year as (

    select
        this_year.*,
        previous_year.movie_count as previous_year_movie_count,
        previous_year.total_box_office_usd as previous_year_box_office_usd
    from aggregated as this_year
    left join aggregated as previous_year
        on this_year.release_year - 1 = previous_year.release_year

),

growth as (

    select
        *,
        100.0 * (movie_count - previous_year_movie_count)
        / cast(nullif(previous_year_movie_count, 0) as double) as yoy_movie_count_growth_pct,
        100.0 * (total_box_office_usd - previous_year_box_office_usd)
        / cast(nullif(previous_year_box_office_usd, 0) as double) as yoy_box_office_growth_pct
    from with_previous_year

)

select * from growth
