"""Engagement: suggestions."""
