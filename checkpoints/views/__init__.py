"""Checkpoints pages, by audience: ``learner`` (catalogue, programme page, my programmes) and
``authoring`` (L&D: programmes, checkpoints, preview, assignment, enrolments)."""
