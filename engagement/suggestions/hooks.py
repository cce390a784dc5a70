"""Registrations with other parts of the app, made when the app imports its domain modules:
the demo seeder, and L&D's curated picks as the home page's suggestions."""

from __future__ import annotations

from checkpoints import queries as checkpoint_queries
from clearance.cli import register_demo_seeder
from engagement.suggestions.queries import curated_programmes

register_demo_seeder(55, "engagement.suggestions.demo:seed_suggestions")

if curated_programmes not in checkpoint_queries.SUGGESTION_SOURCES:
    checkpoint_queries.SUGGESTION_SOURCES.append(curated_programmes)
