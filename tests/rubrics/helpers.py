"""Build rubrics in tests (other domains' tests may use these too)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rubrics import operations
from rubrics.content import CriterionContent, LevelContent, VersionContent

SCALE = (("Not yet", "0", "Not yet shown."), ("Meets", "2", "Shown reliably."),
         ("Exceeds", "3", "Shown and explained to others."))


def content(criteria: int = 3, *, scale: tuple[tuple[str, str, str], ...] = SCALE,
            pass_min_position: int | None = 1, pass_min_points: str | None = None,
            comment_required: tuple[int, ...] = (0,), shared: bool = True) -> VersionContent:
    levels = [LevelContent(name, Decimal(points), descriptor) for name, points, descriptor in scale]
    return VersionContent(
        criteria=[
            CriterionContent(title=f"Criterion {n + 1}", description=f"What {n + 1} looks like",
                             comment_required=n in comment_required,
                             levels=[] if shared else [LevelContent(lv.name, lv.points,
                                                                    lv.descriptor)
                                                       for lv in levels])
            for n in range(criteria)
        ],
        shared_scale=shared, scale=levels if shared else [],
        pass_min_position=pass_min_position,
        pass_min_points=None if pass_min_points is None else Decimal(pass_min_points),
    )


def make_rubric(owner: Any = None, *, title: str = "Reflective practice", publish: bool = True,
                pin: bool = False, **kwargs: Any) -> Any:
    """A rubric whose version 1 holds ``content(**kwargs)``; published (and pinned) on request.
    Returns the version."""
    rubric = operations.create_rubric(title=title, description="A test rubric", owner=owner,
                                      by=owner, content=content(**kwargs))
    version = rubric.versions[0]
    if publish:
        operations.publish(version, by=owner)
    if pin:
        operations.pin_version(version)
    return version
