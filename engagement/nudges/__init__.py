"""Engagement: nudges."""
