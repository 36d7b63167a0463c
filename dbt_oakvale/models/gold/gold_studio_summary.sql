with

movie_performance as (

    select * from {{ ref('gold_movie_performance') }}
    where studio is not null

),

aggregated as (

    select
        studio,
        count(*) as movie_count,
        sum(box_office_usd) as total_box_office_usd,
        avg(box_office_usd) as avg_box_office_usd,
        sum(budget_usd) as total_budget_usd,
        avg(roi) as avg_roi,
        sum(review_count) as review_count,
        sum(avg_rating * rated_review_count) / nullif(sum(rated_review_count), 0) as avg_rating
    from movie_performance
    group by studio

),

ranked as (

    select
        *,
        rank() over (order by total_box_office_usd desc nulls last) as box_office_rank
    from aggregated

)

select * from ranked
