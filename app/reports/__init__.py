"""Branch reports: figures rolled up the organisation tree, dashboards, exports and the report API."""
