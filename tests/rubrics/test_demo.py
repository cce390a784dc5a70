"""The demo rubrics: four realistic, published rubrics owned by the L&D lead."""

from __future__ import annotations

from sqlalchemy import func, select

from clearance.cli import DEMO_SEEDERS
from rubrics.content import content_of, publish_problems
from rubrics.demo import LD_LEAD_EMAIL, seed_rubrics
from rubrics.models import Rubric


def test_demo_rubrics(db_session, make_person):
    helen = make_person("Helen Brooks", roles={"ld"}, email=LD_LEAD_EMAIL)
    summary = {"report": "Demo organisation."}
    seed_rubrics(summary)
    rubrics = db_session.scalars(select(Rubric).order_by(Rubric.id)).all()
    assert [r.title for r in rubrics] == [
        "Clinical handover reflection", "Leading a team huddle", "Coaching conversation",
        "Quality improvement mini-project"]
    for rubric in rubrics:
        [version] = rubric.versions
        assert rubric.owner_id == helen.id and rubric.status == "published"
        assert version.status == "published"
        assert 3 <= len(version.criteria) <= 5
        assert all(3 <= len(version.levels_for(c)) <= 4 for c in version.criteria)
        assert version.pass_min_position is not None or version.pass_min_points is not None
        assert publish_problems(content_of(version)) == []
    assert not rubrics[3].versions[0].shared_scale  # one rubric has levels per criterion
    assert "Rubrics: 4 published" in summary["report"]
    seed_rubrics({})  # a second run adds nothing
    assert db_session.scalar(select(func.count()).select_from(Rubric)) == 4


def test_the_seeder_is_registered_after_people():
    assert (20, "rubrics.demo:seed_rubrics") in DEMO_SEEDERS
    assert DEMO_SEEDERS.index((10, "people.demo:seed_people")) < DEMO_SEEDERS.index(
        (20, "rubrics.demo:seed_rubrics"))
