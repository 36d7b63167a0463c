-- Genres ranked by total box office
-- chart: genre | total_box_office_usd
SELECT genre, movie_count, total_box_office_usd, avg_roi, avg_rating, box_office_rank
FROM gold_genre_summary
ORDER BY box_office_rank
LIMIT 20
