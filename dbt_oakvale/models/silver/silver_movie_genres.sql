{#- Rebuilt from silver_movies on every run, not merged: a merge on (movie_id, genre) cannot drop
    a genre that a movie's newer version no longer has, so an incremental build kept genres a full
    refresh does not. The whole bridge is one unnest of silver_movies. -#}
{{
    config(
        materialized='table'
    )
}}

with

source as (

    select * from {{ ref('silver_movies') }}

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
