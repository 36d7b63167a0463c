-- Releases, box office and year-over-year growth per release year, newest first
-- chart: release_year | total_box_office_usd
SELECT release_year, movie_count, total_box_office_usd, yoy_movie_count_growth_pct, yoy_box_office_growth_pct, avg_rating
FROM gold_release_year_summary
ORDER BY release_year DESC
LIMIT 30
