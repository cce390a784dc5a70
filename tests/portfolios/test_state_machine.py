"""The submission state machine under random sequences of learner and reviewer actions.

A model of the rules runs beside the real operations: every action the model allows must
succeed, every other must be refused and change nothing, and after every step the database
agrees with the model (state, versions numbered 1..n, each version's evidence exactly what was
submitted, submitted evidence unchanged).
"""

from __future__ import annotations

import hashlib

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from clearance.extensions import db
from portfolios import operations
from portfolios.models import EDITABLE_STATES, STATES, TRANSITIONS, Evidence
from portfolios.queries import versions_with_evidence
from tests.portfolios import factories as f

REFUSED = (operations.PortfolioError,)


def _digest(e: Evidence) -> str:
    return hashlib.sha256(f"{e.kind}|{e.body}|{e.url}|{e.sha256}".encode()).hexdigest()


def make_machine(org):
    class SubmissionMachine(RuleBasedStateMachine):
        @initialize()
        def start(self) -> None:
            self.learner = org.learner
            self.checkpoint = f.enrolled_checkpoint(self.learner, min_evidence=1)
            self.state = "draft"
            self.working: set[int] = set()
            self.versions: list[frozenset[int]] = []
            self.frozen: dict[int, str] = {}
            self.submission = None
            self.kinds: dict[int, str] = {}

        # ---- learner: evidence
        @rule(text=st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1,
                       max_size=40).filter(lambda t: t.strip()))
        def write_reflection(self, text: str) -> None:
            editable = self.state in EDITABLE_STATES
            try:
                evidence = operations.save_reflection(self.learner, self.checkpoint, text)
            except REFUSED:
                assert not editable
                return
            assert editable
            self.submission = evidence.submission
            old = {e for e in self.working if self.kinds[e] == "reflection"} - {evidence.id}
            self.working = (self.working - old) | {evidence.id}
            self.kinds[evidence.id] = "reflection"

        @rule(n=st.integers(0, 10_000))
        def add_link(self, n: int) -> None:
            editable = self.state in EDITABLE_STATES
            try:
                evidence = operations.add_link(self.learner, self.checkpoint,
                                               f"https://example.org/{n}")
            except REFUSED:
                assert not editable
                return
            assert editable
            self.submission = evidence.submission
            self.working.add(evidence.id)
            self.kinds[evidence.id] = "link"

        @rule(pick=st.integers(0, 50))
        def remove_one(self, pick: int) -> None:
            if not self.working:
                return
            evidence_id = sorted(self.working)[pick % len(self.working)]
            editable = self.state in EDITABLE_STATES
            try:
                operations.remove_evidence(db.session.get(Evidence, evidence_id))
            except REFUSED:
                assert not editable
                return
            assert editable
            self.working.discard(evidence_id)

        # ---- learner: submit (with double clicks and stale pages) and withdraw
        @rule(clicks=st.integers(1, 3), stale=st.booleans())
        def submit(self, clicks: int, stale: bool) -> None:
            if self.submission is None:
                return
            expected = len(self.versions) - (1 if stale and self.versions else 0)
            allowed = (self.state in EDITABLE_STATES and bool(self.working)
                       and expected == len(self.versions))
            for click in range(clicks):
                try:
                    version = operations.submit(self.submission, self.learner,
                                                expected_version=expected)
                except REFUSED:
                    assert not allowed or click > 0
                    continue
                assert allowed and click == 0
                assert version.number == len(self.versions) + 1
                self.versions.append(frozenset(self.working))
                for e in self.working:
                    self.frozen.setdefault(e, _digest(db.session.get(Evidence, e)))
                self.state = "submitted"

        @rule()
        def withdraw(self) -> None:
            self._act("withdraw", lambda s: operations.withdraw(s, self.learner))

        # ---- reviewers (stand-ins for approvals) and L&D
        @rule()
        def request_changes(self) -> None:
            self._act("request_changes", lambda s: operations.request_changes(s, by=org.line))

        @rule()
        def approve(self) -> None:
            self._act("approve", lambda s: operations.approve(s, by=org.line))

        @rule()
        def reopen(self) -> None:
            self._act("reopen", lambda s: operations.reopen(s, by=org.ld))

        def _act(self, action: str, call) -> None:
            if self.submission is None:
                return
            sources, target = TRANSITIONS[action]
            try:
                call(self.submission)
            except REFUSED:
                assert self.state not in sources, (action, self.state)
                return
            assert self.state in sources, (action, self.state)
            self.state = target

        # ---- what must always hold
        @invariant()
        def agrees_with_the_model(self) -> None:
            if self.submission is None:
                return
            db.session.expire_all()
            sub = self.submission
            assert sub.state in STATES
            assert sub.state == self.state
            versions = versions_with_evidence(sub)
            assert [v.number for v in versions] == list(range(1, len(self.versions) + 1))
            assert sub.version_count == len(self.versions)
            for version, expected in zip(versions, self.versions, strict=True):
                assert frozenset(e.id for e in version.evidence) == expected
            pending = [v for v in versions if v.outcome is None]
            assert len(pending) == (1 if self.state == "submitted" else 0)
            for evidence_id, digest in self.frozen.items():
                assert _digest(db.session.get(Evidence, evidence_id)) == digest
            live = {e.id for e in operations.working_set(sub)}
            assert live == self.working

    return SubmissionMachine


def test_submission_state_machine(org, db_session):
    from hypothesis.stateful import run_state_machine_as_test

    machine = make_machine(org)
    run_state_machine_as_test(machine, settings=settings(
        max_examples=30, stateful_step_count=20, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]))
