-- Studios ranked by total box office
-- chart: studio | total_box_office_usd
SELECT studio, movie_count, total_box_office_usd, avg_roi, avg_rating, box_office_rank
FROM gold_studio_summary
ORDER BY box_office_rank
LIMIT 20
