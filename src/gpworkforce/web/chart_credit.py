"""What every chart says about itself: the organisation, the year, the data dates and the source.

Drawn into the figure (the title's subtitle), so a chart exported as a PNG, by Plotly's modebar
or by the page's "Download chart as PNG" button, still says whose figures they are, how old the
data are and where they came from.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass

from gpworkforce.services.periods_text import last_appointments_month, month_words

SOURCE = "Source: NHS England GP patients, workforce and appointments data; gpworkforce"
#: Characters a subtitle line holds at 12 px on a 390 px phone (Plotly does not wrap text itself).
LINE_WIDTH = 52


def data_dates_text(periods: Mapping[str, str | None]) -> str:
    """The dates of the datasets behind a chart, as people read them ("patients July 2026; ...")."""
    parts = [
        ("patients", month_words(periods.get("patients"))),
        ("workforce", month_words(periods.get("workforce"))),
        ("appointments to", month_words(last_appointments_month(periods))),
    ]
    return "; ".join(f"{what} {when}" for what, when in parts if when)


@dataclass(frozen=True)
class ChartCredit:
    """The organisation (name and code), the year shown, and the data dates of a chart."""

    organisation: str
    year: int | None = None
    dates: str = ""
    source: str = SOURCE

    def lines(self, width: int = LINE_WIDTH) -> list[str]:
        """The subtitle's lines, each short enough for a phone-width chart."""
        head = self.organisation + (f", {self.year}" if self.year else "")
        texts = [head, f"Data: {self.dates}" if self.dates else "", self.source]
        return [line for text in texts if text for line in textwrap.wrap(text, width, break_long_words=True)]

    def subtitle(self) -> str:
        """The lines joined as Plotly text (``<br>`` between lines; Plotly escapes nothing else here)."""
        return "<br>".join(_escape(line) for line in self.lines())


def _escape(text: str) -> str:
    """Plotly reads ``<`` and ``&`` in text as its own pseudo-HTML: keep names literal."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def chart_credit(name: str, code: str, level: str, year: int | None, periods: Mapping[str, str | None]) -> ChartCredit:
    """The credit of a chart about organisation ``code`` (England has no code to show)."""
    label = name if level == "england" else f"{name} ({code})"
    return ChartCredit(label, year, data_dates_text(periods))
