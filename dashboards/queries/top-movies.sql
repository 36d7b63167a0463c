-- Best-performing movies by box office, with ROI and rank in genre
-- chart: title | box_office_usd
SELECT movie_id, title, primary_genre, studio, release_year, box_office_usd, roi, avg_rating, rank_in_genre
FROM gold_movie_performance
ORDER BY box_office_usd DESC, movie_id
LIMIT 100
