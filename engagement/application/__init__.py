"""Engagement: application."""
