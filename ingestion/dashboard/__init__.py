"""Local dashboards: the Athena dashboard queries run on the local gold tables, rendered to HTML."""

from ingestion.dashboard.render import DashboardQuery, load_queries, render_dashboard

__all__ = ["DashboardQuery", "load_queries", "render_dashboard"]
