"""Engagement: pulse."""
