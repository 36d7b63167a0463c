with

reviews as (

    select * from {{ ref('silver_reviews') }}

),

review_tags as (

    select distinct
        reviews.review_id,
        reviews.movie_id,
        reviews.rating_normalized,
        {{ oakvale.trim_blanks('review_tag.tag') }} as tag
    from reviews
    cross join unnest(reviews.tags) as review_tag (tag)

),

aggregated as (

    select
        tag,
        count(*) as review_count,
        count(distinct movie_id) as movie_count,
        avg(rating_normalized) as avg_rating
    from review_tags
    where tag is not null and tag != ''
    group by tag

),

ranked as (

    select
        *,
        row_number() over (order by review_count desc, tag asc) as tag_rank
    from aggregated

)

select * from ranked
