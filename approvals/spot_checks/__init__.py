"""L&D spot-checks of approval decisions: sampling, review, verdicts and calibration."""
