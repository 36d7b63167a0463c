-- Most used review tags
-- chart: tag | review_count
SELECT tag, review_count, movie_count, avg_rating, tag_rank
FROM gold_top_tags
ORDER BY tag_rank
LIMIT 25
