-- Review volume, ratings and month-over-month growth, latest month first
-- chart: review_month | review_count
SELECT review_month, review_count, critic_review_count, audience_review_count, avg_rating, mom_review_count_growth_pct
FROM gold_monthly_review_trends
ORDER BY review_month DESC
LIMIT 24
