"""A RadioButton whose label wraps onto more lines instead of ending in "…" on a narrow terminal.

Textual's ToggleButton reports a height of one line whatever its width; this one measures its
label at the width it is given. Pair it with `text-wrap: wrap; height: auto` in the stylesheet.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.widgets import RadioButton


class WrappingRadioButton(RadioButton):
    """A radio button whose label wraps to the width it is given."""

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        # Textual passes a widget's styles as the rules too (Widget._get_content_height); its
        # RenderStyles is read as a RulesMap but is not typed as one.
        return max(1, self.render().get_height(self.styles, width))  # type: ignore[arg-type]
