"""Shell forms: sign-in and set-password."""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class LoginForm(FlaskForm):
    email = EmailField("Work e-mail address", validators=[DataRequired(), Email(), Length(max=320)],
                       filters=[_strip], render_kw={"autocomplete": "username"})
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()
    submit = SubmitField("Sign in")


class SetPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[DataRequired(), Length(max=1024)],
                             render_kw={"autocomplete": "new-password"},
                             description="At least 12 characters. A short sentence works well.")
    confirm = PasswordField("Repeat the new password",
                            validators=[DataRequired(), EqualTo("password",
                                                                "The two passwords differ.")],
                            render_kw={"autocomplete": "new-password"})
    submit = SubmitField("Set password")

    def validate_password(self, field: PasswordField) -> None:
        minimum = int(current_app.config["PASSWORD_MIN_LENGTH"])
        if len(field.data or "") < minimum:
            raise ValidationError(f"Use at least {minimum} characters.")


def choices(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    """Select options in the WTForms 3.3 form (tuples are deprecated)."""
    return [SelectChoice(value, label) for value, label in pairs]
