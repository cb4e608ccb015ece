"""One visual language (STYLE "One theme"): the palette, fonts, sizes and marks used by every figure
(metrics.views.charts, metrics.views.spc_charts, the briefing's figures), the briefing's HTML and its PPTX.

Colours carry meaning, and never alone: a mark or a word stands beside every colour that means something
(MARK_VETO ✕, MARK_WARN ▲, MARK_MISSED ▼, MARK_CONCERN ◆): a grey-scale print or a colour-blind reader loses nothing.

Red (veto, conflict) and amber (warning, target missed) are chosen to stay apart under deuteranopia, protanopia
and tritanopia as well as normal vision (tests/test_theme.py simulates them with Machado et al. 2009 and asserts the
CIELAB distance and the lightness gap); green (met) and amber are the Okabe–Ito orange and bluish green.
"""

from __future__ import annotations

# --- palette ---------------------------------------------------------------------------------------------------
RED = "#B00020"  # veto, conflict: a crimson that stays dark next to amber in every simulated vision
AMBER = "#E69F00"  # warning, target missed (Okabe–Ito orange): fills only — too light for text on white
GREEN = "#009E73"  # target met (Okabe–Ito bluish green): fills
BLUE = "#0072B2"  # neutral emphasis: process steps, hospital average, titles (Okabe–Ito blue)
SKY = "#56B4E9"
GREY = "#9E9E9E"  # no data — never green
NO_DATA = "#C8C8C8"
INK = "#1A1A1A"  # body text
MUTED = "#444444"  # subtitles
RULE = "#E0E0E0"  # grid lines, card borders
PAPER = "#FFFFFF"
# text in a meaning colour: the fills above darkened to ≥ 4.5 : 1 on white (WCAG AA)
RED_TEXT = RED
AMBER_TEXT = "#8A5300"
GREEN_TEXT = "#00704F"
# light backgrounds behind a coloured row or card
RED_BG, AMBER_BG = "#FBE3E7", "#FDF0D5"

# What each colour means, so a page or a slide never picks its own red.
MEANING = {
    "veto": RED,
    "conflict": RED,
    "warning": AMBER,
    "missed": AMBER,
    "met": GREEN,
    "no_data": NO_DATA,
    "neutral": BLUE,
}
TEXT = {"veto": RED_TEXT, "conflict": RED_TEXT, "warning": AMBER_TEXT, "missed": AMBER_TEXT, "met": GREEN_TEXT}

# Marks beside colour (shape as well as hue).
MARK_VETO = "✕"
MARK_WARN = "▲"
MARK_MISSED = "▼"
MARK_CONCERN = "◆"

# --- type --------------------------------------------------------------------------------------------------------
FONT_STACK = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'
PPTX_FONT = "Microsoft YaHei"  # the deck's one typeface (present on every Windows PC the office uses)
# the printed forms' 宋体, as the seeds' annexes are set (Word and WPS have it; LibreOffice falls back to Noto CJK)
DOCX_FONT = "SimSun"
APP_TICK_PX = 16  # app charts: readable on a desk screen and a projector
APP_TITLE_PX = 24
SLIDE_MIN_PX = 24  # projector: no text on a slide below this
# PPTX (points): the back row of a meeting room
PPTX_TITLE_PT = 36
PPTX_BODY_PT = 24
PPTX_MIN_PT = 18  # nothing smaller anywhere in the deck
PPTX_VALUE_PT = 40  # a KPI card's number


def rgb_tuple(hexstr: str) -> tuple[int, int, int]:
    """'#B00020' → (176, 0, 32)."""
    h = hexstr.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)
