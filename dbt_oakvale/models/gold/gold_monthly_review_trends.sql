with

reviews as (

    select * from {{ ref('silver_reviews') }}
    where review_month is not null

),

aggregated as (

    select
        review_month,
        count(*) as review_count,
        sum(case when review_source = 'critic' then 1 else 0 end) as critic_review_count,
        sum(case when review_source = 'audience' then 1 else 0 end) as audience_review_count,
        count(distinct movie_id) as reviewed_movie_count,
        avg(rating_normalized) as avg_rating
    from reviews
    group by review_month

),

with_previous_month as (

    select
        this_month.*,
        previous_month.review_count as previous_month_review_count
    from aggregated as this_month
    left join aggregated as previous_month
        on cast({{ dbt.dateadd('month', -1, 'this_month.review_month') }} as date) = previous_month.review_month

),

growth as (

    select
        *,
        100.0 * (review_count - previous_month_review_count)
        / cast(nullif(previous_month_review_count, 0) as double) as mom_review_count_growth_pct
    from with_previous_month

)

select * from growth
