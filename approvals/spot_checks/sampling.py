"""Which decisions L&D spot-checks, and why: pure functions over plain data.

Each decision gets a *draw*: a number in [0, 1) from HMAC-SHA256 of a secret seed and the
decision's id. The same seed and id always give the same draw, so a decision's sampling can be
replayed and explained ("draw 0.0734 < rate 0.10"), yet nobody can predict it without the seed.
The rules then add reasons that sample a decision whatever its draw:

- the draw is below the rate: the programme's own rate or the base rate (``rate``), or the
  adaptive rate for an approver whose agreement with L&D over their last checks is low
  (``adaptive``);
- the approver has fewer than N checked-and-agreed decisions (``new_approver``);
- risk signals: decided within M minutes of opening the review (``quick_decision``), overall
  feedback under K characters (``short_feedback``), every criterion at the top level
  (``all_top``), approved with a criterion below the pass level (``below_pass``), decided
  under delegation (``delegated``) or after an escalation (``escalated``).

Nothing here touches the database: :class:`DecisionFacts` holds what the rules look at and is
stored as plain data with the result, so :func:`evaluate` can be run again on it later.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

#: the order reasons are reported in (the first is the check's primary reason)
REASON_ORDER = ("below_pass", "quick_decision", "short_feedback", "all_top", "delegated",
                "escalated", "new_approver", "adaptive", "rate")


@dataclass(frozen=True)
class SamplingPolicy:
    """The rules' thresholds (rates are fractions: 0.1 = 10%)."""

    base_rate: float = 0.10
    new_approver_agreed: int = 5
    quick_minutes: float = 2.0
    short_feedback_chars: int = 80
    adaptive_rate: float = 0.50
    adaptive_below: float = 0.80
    adaptive_window: int = 20

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SamplingPolicy:
        return cls(
            base_rate=float(config.get("SPOT_CHECK_RATE", 10.0)) / 100,
            new_approver_agreed=int(config.get("SPOT_CHECK_NEW_APPROVER_AGREED", 5)),
            quick_minutes=float(config.get("SPOT_CHECK_QUICK_MINUTES", 2.0)),
            short_feedback_chars=int(config.get("SPOT_CHECK_SHORT_FEEDBACK_CHARS", 80)),
            adaptive_rate=float(config.get("SPOT_CHECK_ADAPTIVE_RATE", 50.0)) / 100,
            adaptive_below=float(config.get("SPOT_CHECK_ADAPTIVE_BELOW", 80.0)) / 100,
            adaptive_window=int(config.get("SPOT_CHECK_ADAPTIVE_WINDOW", 20)),
        )


@dataclass(frozen=True)
class DecisionFacts:
    """What the rules look at for one decision (all plain values)."""

    decision_id: int
    outcome: str = "approved"
    #: characters of overall feedback (runs of white space count once)
    feedback_chars: int = 0
    #: seconds from opening the review page to deciding (None: not known)
    seconds_to_decide: float | None = None
    #: per scored criterion: [position chosen, top position of its scale] (0 = lowest)
    levels: tuple[tuple[int, int], ...] = ()
    #: the rubric's pass level (a position), if it has one
    pass_min_position: int | None = None
    #: the rubric's pass rule said "not met" (None: no rubric or no rule)
    rubric_passed: bool | None = None
    justified: bool = False
    delegated: bool = False
    acting_reason: str = ""
    escalated: bool = False
    #: the approver's checks that L&D agreed with, ever
    approver_agreed: int = 0
    #: the approver's latest verdicts, newest first (at most the window): True = agreed
    recent_agreement: tuple[bool, ...] = ()
    #: the programme's own base rate, if L&D set one
    programme_rate: float | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["levels"] = [list(pair) for pair in self.levels]
        data["recent_agreement"] = list(self.recent_agreement)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DecisionFacts:
        values = dict(data)
        values["levels"] = tuple(tuple(pair) for pair in values.get("levels") or ())
        values["recent_agreement"] = tuple(bool(v) for v in values.get("recent_agreement") or ())
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in values.items() if k in known})


@dataclass(frozen=True)
class Reason:
    code: str
    detail: str


@dataclass(frozen=True)
class SamplingResult:
    draw: float
    rate: float
    reasons: tuple[Reason, ...] = field(default_factory=tuple)

    @property
    def sampled(self) -> bool:
        return bool(self.reasons)

    @property
    def codes(self) -> list[str]:
        return [r.code for r in self.reasons]


def seed_ref(seed: bytes) -> str:
    """A short public fingerprint of the seed (which seed a stored draw came from)."""
    return hashlib.sha256(b"clearance spot-check seed|" + seed).hexdigest()[:16]


def draw(seed: bytes, decision_id: int) -> float:
    """The decision's uniform number in [0, 1): HMAC-SHA256(seed, id), first 64 bits."""
    digest = hmac.new(seed, f"spot-check:{int(decision_id)}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


def agreement(recent: Sequence[bool]) -> float | None:
    """Share of agreed checks (None when there are none)."""
    return (sum(1 for v in recent if v) / len(recent)) if recent else None


def chance_rate(facts: DecisionFacts, policy: SamplingPolicy) -> tuple[float, str]:
    """The rate the draw is compared with, and the reason code it samples under."""
    base = facts.programme_rate if facts.programme_rate is not None else policy.base_rate
    recent = facts.recent_agreement[: policy.adaptive_window]
    agreed = agreement(recent)
    if agreed is not None and agreed < policy.adaptive_below and policy.adaptive_rate > base:
        return policy.adaptive_rate, "adaptive"
    return base, "rate"


def _pct(value: float) -> str:
    return f"{value * 100:.0f}%"


def evaluate(facts: DecisionFacts, policy: SamplingPolicy, seed: bytes) -> SamplingResult:
    """Sample ``facts``'s decision or not, with every reason that applies."""
    u = draw(seed, facts.decision_id)
    rate, rate_code = chance_rate(facts, policy)
    found: dict[str, str] = {}

    if facts.outcome == "approved" and facts.levels and (
            facts.rubric_passed is False
            or (facts.pass_min_position is not None
                and any(pos < facts.pass_min_position for pos, _top in facts.levels))):
        found["below_pass"] = ("approved although the rubric's pass level was not met"
                               + (" (justified)" if facts.justified else ""))
    if facts.seconds_to_decide is not None \
            and facts.seconds_to_decide < policy.quick_minutes * 60:
        found["quick_decision"] = (f"decided {facts.seconds_to_decide / 60:.1f} minutes after "
                                   f"opening the review (under {policy.quick_minutes:g})")
    if facts.feedback_chars < policy.short_feedback_chars:
        found["short_feedback"] = (f"{facts.feedback_chars} characters of overall feedback "
                                   f"(under {policy.short_feedback_chars})")
    if facts.levels and all(pos == top for pos, top in facts.levels):
        found["all_top"] = f"all {len(facts.levels)} criteria at the top level"
    if facts.delegated:
        found["delegated"] = facts.acting_reason or "decided by a delegate"
    if facts.escalated:
        found["escalated"] = "decided after the step was escalated"
    if facts.approver_agreed < policy.new_approver_agreed:
        found["new_approver"] = (f"{facts.approver_agreed} of {policy.new_approver_agreed} "
                                 "agreed checks so far")
    if u < rate:
        recent = facts.recent_agreement[: policy.adaptive_window]
        if rate_code == "adaptive":
            found["adaptive"] = (f"draw {u:.4f} under {_pct(rate)}: agreement "
                                 f"{_pct(agreement(recent) or 0)} over the last {len(recent)} "
                                 f"checks (below {_pct(policy.adaptive_below)})")
        else:
            source = "programme rate" if facts.programme_rate is not None else "base rate"
            found["rate"] = f"draw {u:.4f} under the {source} of {_pct(rate)}"
    reasons = tuple(Reason(code, found[code]) for code in REASON_ORDER if code in found)
    return SamplingResult(draw=u, rate=rate, reasons=reasons)


def explain(facts: DecisionFacts, policy: SamplingPolicy, seed: bytes) -> list[str]:
    """Plain sentences: why this decision was (or was not) sampled."""
    result = evaluate(facts, policy, seed)
    lines = [f"Decision {facts.decision_id}: draw {result.draw:.6f} against a rate of "
             f"{_pct(result.rate)} ({'under' if result.draw < result.rate else 'not under'})."]
    if result.sampled:
        lines += [f"Sampled: {r.code}: {r.detail}." for r in result.reasons]
    else:
        lines.append("Not sampled: no rule applied.")
    return lines
