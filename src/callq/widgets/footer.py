"""A Footer that recomposes only when the keys it would show change.

Textual's Footer rebuilds all its key widgets (and restyles them) whenever focus moves.
Opening the outcome form moves focus to its note and back: two rebuilds per outcome that
cost more than the whole two-frame budget on a busy machine, for keys that do not change.
While focus is inside an `overlay` panel the footer keeps the screen's keys, as it did
under a modal form.
"""

from textual.screen import Screen
from textual.widgets import Footer


class SteadyFooter(Footer):
    def __init__(self, *, overlay: type | None = None) -> None:
        super().__init__()
        self.overlay = overlay
        self._shown: tuple | None = None

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
