"""``flask spot-checks ...``: explain and replay the sampling of decisions."""

from __future__ import annotations

import click
from flask.cli import AppGroup

spot_checks_cli = AppGroup("spot-checks", help="L&D spot-checks of approval decisions.")


@spot_checks_cli.command("explain")
@click.argument("decision_id", type=int)
def explain(decision_id: int) -> None:
    """Why DECISION_ID was (or was not) sampled: the stored draw, rate and reasons, replayed."""
    from approvals.spot_checks import sampler, sampling
    from approvals.spot_checks.queries import check_of_decision, sampling_of

    row = sampling_of(decision_id)
    if row is None:
        raise click.ClickException(f"decision {decision_id} has no sampling record")
    facts = sampling.DecisionFacts.from_dict(row.facts)
    for line in sampling.explain(facts, sampler.sampling_policy(), sampler.sampling_seed()):
        click.echo(line)
    replayed = sampler.replay(row)
    same = replayed.codes == list(row.reasons) and replayed.draw == row.draw
    click.echo(f"Stored at decision time: {', '.join(row.reasons) or 'not sampled'} (draw "
               f"{row.draw:.6f}, rate {float(row.rate):.0%}, seed {row.seed_ref}); replay "
               + ("gives the same result." if same else
                  "differs (the seed or the settings changed since)."))
    check = check_of_decision(decision_id)
    if check is not None:
        click.echo(f"Spot-check {check.id}: {check.status}"
                   + (f", verdict {check.verdict}" if check.verdict else ""))


@spot_checks_cli.command("replay")
@click.option("--limit", default=10_000, show_default=True, help="Latest decisions to replay.")
def replay(limit: int) -> None:
    """Replay the latest decisions' sampling with the current seed and settings; list any whose
    result would differ."""
    from sqlalchemy import select

    from approvals.spot_checks import sampler
    from approvals.spot_checks.models import SpotCheckSampling
    from clearance.extensions import db

    rows = db.session.scalars(select(SpotCheckSampling)
                              .order_by(SpotCheckSampling.id.desc()).limit(limit)).all()
    differ = [r for r in rows if sampler.replay(r).codes != list(r.reasons)]
    for r in differ[:50]:
        click.echo(f"decision {r.decision_id}: stored {r.reasons}, now "
                   f"{sampler.replay(r).codes}")
    click.echo(f"{len(rows)} replayed, {len(differ)} differ")
