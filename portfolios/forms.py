"""Forms for gathering evidence and submitting checkpoint work."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, StringField, SubmitField, TextAreaField, URLField
from wtforms.validators import DataRequired, Length, Optional

from portfolios.filecheck import ALLOWED_SUMMARY
from portfolios.text import MAX_REFLECTION_CHARS, MAX_URL_CHARS


class UploadForm(FlaskForm):
    file = FileField("Choose a file",
                     description=f"{ALLOWED_SUMMARY}. The largest accepted is set below.")
    label = StringField("What it shows (optional)", validators=[Optional(), Length(max=200)],
                        description="For example: the handover sheet I redesigned.")
    submit = SubmitField("Upload file")


class PhotoForm(FlaskForm):
    photo = FileField("Take or choose a photo",
                      description="On a phone this opens the camera. JPEG, PNG or HEIC.")
    submit = SubmitField("Upload photo")


class ReflectionForm(FlaskForm):
    body = TextAreaField(
        "Your reflection",
        validators=[DataRequired(message="Write your reflection before saving it."),
                    Length(max=MAX_REFLECTION_CHARS)],
        description="What you did, what happened and what you will do differently. You can use "
                    "Markdown: *italic*, **bold**, lists starting with -, and [links](https://…).",
        render_kw={"rows": 10},
    )
    submit = SubmitField("Save reflection")


class LinkForm(FlaskForm):
    url = URLField("Web address", validators=[
        DataRequired(message="Enter the web address, starting with https://"),
        Length(max=MAX_URL_CHARS)],
        description="Starts with https://. The address is shown to your reviewer as a link; "
                    "Clearance never opens it.")
    label = StringField("Link text (optional)", validators=[Optional(), Length(max=200)])
    submit = SubmitField("Add link")


class SubmitWorkForm(FlaskForm):
    #: the number of versions the page showed; a second click finds it changed
    version = HiddenField()
    submit = SubmitField("Submit for review")
