"""Dialling a lead: the configured dial command's arguments for one validated number."""

from callq.phones import PhoneError, normalise_phone


def dial_argv(command: tuple[str, ...], phone: str, region: str) -> list[str]:
    """The dial command's arguments with `{phone}` as a validated E.164 number (PhoneError).

    An argument list, run without a shell: a number can never become a command."""
    e164 = normalise_phone(phone, region)
    if not e164.startswith("+") or not e164[1:].isdigit():
        raise PhoneError(f"{phone!r} is not a dialable E.164 number")
    return [arg.replace("{phone}", e164) for arg in command]
