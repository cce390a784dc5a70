"""The preferences form: two checkboxes per kind (in the app, by e-mail) and quiet hours."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SubmitField, TimeField
from wtforms.validators import Optional

from clearance.forms import choices
from engagement.nudges.models import KIND_LABELS, KINDS


class PreferencesForm(FlaskForm):
    quiet_mode = RadioField("Quiet hours", default="default")
    quiet_start = TimeField("Quiet from", validators=[Optional()],
                            description="24-hour clock, UK time")
    quiet_end = TimeField("Quiet until", validators=[Optional()],
                          description="24-hour clock, UK time")
    submit = SubmitField("Save my choices")

    def set_mode_choices(self, default_window: str) -> None:
        self.quiet_mode.choices = choices([
            ("default", f"The organisation's quiet hours ({default_window})"),
            ("custom", "My own quiet hours (below)"),
            ("off", "No quiet hours: send when it happens"),
        ])

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        if self.quiet_mode.data != "custom":
            return ok
        if self.quiet_start.data is None and not self.quiet_start.errors:
            self.quiet_start.errors = [*self.quiet_start.errors,
                                       "Give the time your quiet hours start."]
            ok = False
        if self.quiet_end.data is None and not self.quiet_end.errors:
            self.quiet_end.errors = [*self.quiet_end.errors, "Give the time your quiet hours end."]
            ok = False
        if ok and self.quiet_start.data == self.quiet_end.data:
            self.quiet_end.errors = [*self.quiet_end.errors, "The end must differ from the start "
                                     "(or choose no quiet hours)."]
            ok = False
        return ok

    def channel(self, kind: str, which: str) -> BooleanField:
        return getattr(self, f"{kind}_{which}")


for _kind in KINDS:
    setattr(PreferencesForm, f"{_kind}_in_app",
            BooleanField(f"{KIND_LABELS[_kind]}: in the app"))
    setattr(PreferencesForm, f"{_kind}_email",
            BooleanField(f"{KIND_LABELS[_kind]}: by e-mail"))
