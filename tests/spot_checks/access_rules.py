from tests.access import FORBIDDEN, NOT_FOUND, OK, REDIRECT, Rule, everyone, only

STAFF = ("ld", "admin")


def _check(state, verdict="agree"):
    def setup(o, make):
        from tests.spot_checks.helpers import ld_assessment, sampled_check

        check = sampled_check(o, state, verdict=verdict)
        return {"check": check, "decision": check.decision,
                "programme": check.submission.checkpoint.programme,
                "score": {**{f"c{cid}-level": str(a.level_id)
                             for cid, a in ld_assessment(check).criteria.items()},
                          "ld_outcome": "approved"}}
    return setup


def _path(suffix=""):
    return lambda o, x: f"/spot-checks/{x['check'].id}{suffix}"


RULES = [
    Rule("spot_checks.queue", lambda o, x: "/spot-checks", only(STAFF)),
    Rule("spot_checks.review", _path(), only(STAFF), setup=_check("open")),
    Rule("spot_checks.claim", _path("/claim"), only(("ld",), REDIRECT), method="POST",
         setup=_check("open"), note="(L&D only; admin reads)"),
    Rule("spot_checks.release", _path("/release"), only(("ld",), REDIRECT), method="POST",
         setup=_check("claimed")),
    Rule("spot_checks.score", _path("/score"), only(("ld",), REDIRECT), method="POST",
         setup=_check("claimed"), data=lambda o, x: x["score"]),
    Rule("spot_checks.verdict", _path("/verdict"), only(("ld",), REDIRECT), method="POST",
         setup=_check("scored"), data=lambda o, x: {"verdict": "agree"}),
    Rule("spot_checks.decisions", lambda o, x: "/spot-checks/decisions", only(("ld",))),
    Rule("spot_checks.pick", lambda o, x: f"/spot-checks/decisions/{x['decision'].id}/pick",
         only(("ld",), REDIRECT), method="POST", setup=_check("open")),
    Rule("spot_checks.rates", lambda o, x: "/spot-checks/rates", only(("ld",))),
    Rule("spot_checks.set_rate", lambda o, x: f"/spot-checks/rates/{x['programme'].id}",
         only(("ld",), REDIRECT), method="POST", setup=_check("open"),
         data=lambda o, x: {"rate": "25"}),
    Rule("spot_checks.calibration", lambda o, x: "/spot-checks/calibration", only(STAFF),
         setup=_check("done")),
    Rule("spot_checks.calibration_csv", lambda o, x: "/spot-checks/calibration.csv",
         only(STAFF), setup=_check("done")),
    Rule("spot_checks.approver",
         lambda o, x: f"/spot-checks/calibration/approvers/{o.line.id}", only(STAFF),
         setup=_check("done")),
    Rule("spot_checks.coverage", lambda o, x: "/spot-checks/coverage", only(STAFF),
         setup=_check("done")),
    Rule("spot_checks.mine", lambda o, x: "/spot-checks/mine", everyone(OK),
         setup=_check("done", "concern")),
    Rule("spot_checks.mine_one", lambda o, x: f"/spot-checks/mine/{x['check'].id}",
         everyone(NOT_FOUND, line_manager=OK), setup=_check("done", "concern"),
         note="(only the approver whose decision it was)"),
    Rule("spot_checks.acknowledge",
         lambda o, x: f"/spot-checks/mine/{x['check'].id}/acknowledge",
         everyone(NOT_FOUND, line_manager=REDIRECT), method="POST",
         setup=_check("done", "concern")),
]

assert FORBIDDEN == 403
