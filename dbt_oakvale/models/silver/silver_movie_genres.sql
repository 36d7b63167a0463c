{{
    config(
        unique_key=['movie_id', 'genre']
    )
}}

with

source as (

    select * from {{ ref('silver_movies') }}
    {% if is_incremental() %}
        where _ingested_at > (select max(_ingested_at) from {{ this }})
    {% endif %}

),

unnested as (

    select
        ---------- ids
        source.movie_id,

        ---------- strings
        movie_genre.genre,

        ---------- numerics
        cast(movie_genre.genre_position as integer) as genre_position,

        ---------- booleans
        (movie_genre.genre_position = 1) as is_primary_genre,

        ---------- timestamps
        source._ingested_at

    from source
    cross join unnest(source.genres) with ordinality as movie_genre (genre, genre_position)

)

select * from unnested
