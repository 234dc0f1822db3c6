"""Messages the portal sends, through Django's e-mail API (SMTP in production: EMAIL_*).

Plain text and HTML, both rendered by Django templates (the HTML autoescaped: what an agent
or a file set stays text); the subject on one line, so no line break reaches a header.
"""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def one_line(text, limit: int) -> str:
    return " ".join(str(text).split())[:limit]


def send(
    to: str, subject: str, text_template: str, html_template: str, context: dict, *,
    subject_max: int, headers: dict | None = None,
) -> None:  # fmt: skip
    message = EmailMultiAlternatives(
        subject=one_line(subject, subject_max),
        body=render_to_string(text_template, context),
        to=[to],
        headers=headers or {},
    )
    message.attach_alternative(render_to_string(html_template, context), "text/html")
    message.send()
