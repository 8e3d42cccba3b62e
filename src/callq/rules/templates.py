"""Message templates: which placeholders a text uses, and the text with them filled (pure).

A placeholder is `{name}`; `{{` and `}}` are literal braces. Nothing else of Python's
format language is allowed (no `{name!r}`, `{name:>9}`, `{name.attr}`): a template is
data an admin writes, and a lead's own text is only ever a value, never parsed.
"""

from string import Formatter
from urllib.parse import quote

from callq.rules.model import Template

_FORMATTER = Formatter()


class TemplateError(ValueError):
    """A text that is not a valid template (the message says why)."""


def placeholders(text: str) -> tuple[str, ...]:
    """The placeholders `text` uses, in order (TemplateError for a malformed one)."""
    try:
        parts = list(_FORMATTER.parse(text))
    except ValueError as error:
        raise TemplateError(f"{error} (write {{{{ or }}}} for a literal brace)") from None
    found = []
    for _literal, field, spec, conversion in parts:
        if field is None:
            continue
        if spec or conversion or not field.isidentifier():
            raw = (
                "{"
                + field
                + (f"!{conversion}" if conversion else "")
                + (f":{spec}" if spec else "")
                + "}"
            )
            raise TemplateError(f"{raw} is not a placeholder (write {{name}})")
        found.append(field)
    return tuple(found)


def fill(text: str, values: dict[str, str]) -> str:
    """`text` with each placeholder replaced by its value (all must be known)."""
    out = []
    for literal, field, _spec, _conversion in _FORMATTER.parse(text):
        out.append(literal)
        if field is not None:
            out.append(values[field])
    return "".join(out)


def message_values(
    *, name: str, phone: str, email: str, company: str, interest: str, rep: str, team: str
) -> dict[str, str]:
    """What a template's placeholders stand for, for one lead."""
    return {
        "first_name": name.split()[0] if name.split() else name,
        "name": name,
        "rep": rep,
        "team": team,
        "company": company,
        "interest": interest,
        "phone": phone,
    }


def command_values(template: Template, values: dict[str, str], email: str) -> dict[str, str]:
    """What a channel command's placeholders stand for: the rendered text and subject, the
    number (also as digits only, as wa.me wants it) and the email, URL-encoded forms too."""
    text = fill(template.text, values)
    subject = fill(template.subject, values)
    return {
        "phone": values["phone"],
        "phone_digits": "".join(ch for ch in values["phone"] if ch.isdigit()),
        "email": email,
        "text": text,
        "text_url": quote(text, safe=""),
        "subject": subject,
        "subject_url": quote(subject, safe=""),
    }
