"""A Footer that shows the keys that fit, most important first, and recomposes only when
the keys it would show change.

The order comes from the actions table (`config/actions.py`, `footer` rank): a narrow
terminal drops keys from the end of that order, never cuts one in half, and always keeps
`? Help`, which lists every key. Paired actions (`[` `]`) share one entry.

Textual's Footer rebuilds all its key widgets (and restyles them) whenever focus moves.
Opening the outcome form moves focus to its note and back: two rebuilds per outcome that
cost more than the whole two-frame budget on a busy machine, for keys that do not change.
While focus is inside an `overlay` panel the footer keeps the screen's keys, as it did
under a modal form.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from callq.screens.keys import ACTIONS_BY_ID

TABLE_ORDER = {action_id: n for n, action_id in enumerate(ACTIONS_BY_ID)}

HELP = "help"  # the entry every width keeps
OTHER_RANK = 50  # a shown binding not in the actions table goes after the table's keys
# A FooterKey's cells besides its key and word: " key word " (3), or compact "key word "
# with a margin (2). The palette key adds its left border and a right padding or margin.
KEY_PADDING = {False: 3, True: 2}
PALETTE_EXTRA = 2


@dataclass(frozen=True)
class FooterEntry:
    """One key (or a pair, `[ ]`) with its word, as the footer would draw it."""

    key: str  # the key a click simulates
    display: str
    label: str
    action: str
    enabled: bool
    tooltip: str
    rank: int

    def width(self, compact: bool = False) -> int:
        return cell_len(self.display) + cell_len(self.label) + KEY_PADDING[compact]

    @property
    def pinned(self) -> bool:
        return self.action == HELP


def footer_entries(shown: list[tuple[Binding, bool, str, str]]) -> list[FooterEntry]:
    """Entries in footer order from (binding, enabled, tooltip, key display) tuples."""
    entries: dict[str, FooterEntry] = {}
    # In the table's order: a keymap moves a rebound key to the end of the screen's map.
    shown = sorted(shown, key=lambda found: TABLE_ORDER.get(found[0].id or "", len(TABLE_ORDER)))
    for binding, enabled, tooltip, display in shown:
        action = ACTIONS_BY_ID.get(binding.id or "")
        rank = action.footer if action else OTHER_RANK
        group = action.group if action and action.group else binding.id or binding.action
        if group in entries:  # `[` then `]`: one entry, `[ ]`
            first = entries[group]
            entries[group] = FooterEntry(
                first.key,
                f"{first.display} {display}",
                first.label,
                first.action,
                first.enabled or enabled,
                first.tooltip,
                first.rank,
            )
            continue
        entries[group] = FooterEntry(
            binding.key,
            display,
            binding.description,
            binding.action,
            enabled,
            tooltip or binding.tooltip or binding.description,
            rank,
        )
    return sorted(entries.values(), key=lambda e: (e.pinned, e.rank))


def fit(entries: list[FooterEntry], width: int, compact: bool = False) -> list[FooterEntry]:
    """The entries that fit in `width` cells: in rank order until one does not fit (a
    later, shorter key never jumps the queue), and the pinned help always."""
    room = width - sum(e.width(compact) for e in entries if e.pinned)
    kept = []
    for entry in entries:
        if entry.pinned:
            continue
        if entry.width(compact) > room:
            break
        kept.append(entry)
        room -= entry.width(compact)
    return kept + [e for e in entries if e.pinned]


def layout(
    entries: list[FooterEntry], width: int, palette: int | None
) -> tuple[bool, list[FooterEntry]]:
    """(compact, entries) for a footer `width` cells wide, with a palette key whose key
    and word take `palette` cells (None: no palette key). Roomy when everything fits so;
    else compact, which keeps a key more for every few it draws."""
    for compact in (False, True):
        room = width if palette is None else width - palette - KEY_PADDING[compact]
        room -= 0 if palette is None else PALETTE_EXTRA
        kept = fit(entries, room, compact)
        if len(kept) == len(entries):
            return compact, kept
    return True, kept


class SteadyFooter(Footer):
    def __init__(self, *, overlay: type | None = None) -> None:
        super().__init__()
        self.overlay = overlay
        self._shown: tuple | None = None
        self._fitted: tuple | None = None  # (compact, the actions drawn now)

    def bindings_changed(self, screen: Screen) -> None:
        if self._shown is not None and self._in_overlay(screen):
            return
        shown = tuple(
            (key, binding.action, binding.description, enabled)
            for key, (_node, binding, enabled, _tip) in screen.active_bindings.items()
            if binding.show
        )
        if shown == self._shown and self._bindings_ready:
            return
        if screen.app.app_focus:  # else Footer waits, and so must the record of what is shown
            self._shown = shown
        super().bindings_changed(screen)

    def _in_overlay(self, screen: Screen) -> bool:
        focused = screen.focused
        if self.overlay is None or focused is None:
            return False
        return any(isinstance(node, self.overlay) for node in focused.ancestors_with_self)

    def _entries(self) -> list[FooterEntry]:
        app = self.app
        shown = [
            (binding, enabled, tooltip, app.get_key_display(binding))
            for (_node, binding, enabled, tooltip) in self.screen.active_bindings.values()
            if binding.show
        ]
        return footer_entries(shown)

    def _palette(self) -> FooterKey | None:
        app = self.app
        if not (self.show_command_palette and app.ENABLE_COMMAND_PALETTE):
            return None
        found = self.screen.active_bindings.get(app.COMMAND_PALETTE_BINDING)
        if found is None:
            return None
        _node, binding, enabled, tooltip = found
        return FooterKey(
            binding.key,
            app.get_key_display(binding),
            binding.description,
            binding.action,
            classes="-command-palette",
            disabled=not enabled,
            tooltip=binding.tooltip or binding.description,
        )

    def _fit_now(self, palette: FooterKey | None) -> tuple[bool, list[FooterEntry]]:
        width = self.size.width or self.app.size.width
        words = None
        if palette is not None:
            words = cell_len(palette.key_display) + cell_len(palette.description)
        return layout(self._entries(), width, words)

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        palette = self._palette()
        compact, fitted = self._fit_now(palette)
        self._fitted = (compact, *(e.action for e in fitted))
        self.set_reactive(Footer.compact, compact)
        self.set_class(compact, "-compact")
        for entry in fitted:
            yield FooterKey(
                entry.key,
                entry.display,
                entry.label,
                entry.action,
                disabled=not entry.enabled,
                tooltip=entry.tooltip,
            ).data_bind(compact=Footer.compact)
        if palette is not None:
            yield palette

    def on_resize(self, event: events.Resize) -> None:
        if not self._bindings_ready or self._fitted is None:
            return
        compact, fitted = self._fit_now(self._palette())
        if (compact, *(e.action for e in fitted)) != self._fitted:
            self.call_after_refresh(self.recompose)
