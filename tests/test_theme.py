"""The one theme (PRODUCT §6): veto red and target-missed amber stay apart for colour-blind viewers and on a
washed-out projector; meaning colours used as text are legible on white; every figure module takes its colours from
the theme."""

from __future__ import annotations

import numpy as np
import pytest

from metrics import theme

# Machado, Oliveira & Fernandes (2009), "A physiologically-based model for simulation of color vision deficiency",
# IEEE TVCG 15(6), severity 1.0 matrices, applied to linear RGB.
MACHADO = {
    "normal": np.eye(3),
    "protanopia": np.array(
        [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]
    ),
    "deuteranopia": np.array(
        [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]
    ),
    "tritanopia": np.array(
        [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]]
    ),
}
# Thresholds. ΔE*ab 2.3 is one just-noticeable difference for large patches; for small marks (a bar, a table row's
# tint, a 24 px glyph) Szafir 2017 ("Modeling Color Difference for Visualization Design", IEEE TVCG) finds ~5–10×
# that is needed, so two meanings must be ≥ 20 apart. Lightness survives where hue does not (a projector's washed-out
# chroma, grey-scale print, every dichromacy): red and amber must also differ by ≥ 20 L* on their own.
MIN_DELTA_E = 20.0
MIN_DELTA_L = 20.0


def _linear(hexstr: str) -> np.ndarray:
    c = np.array(theme.rgb_tuple(hexstr)) / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(lin: np.ndarray) -> np.ndarray:
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ np.clip(lin, 0, 1)
    n = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(n > (6 / 29) ** 3, np.cbrt(n), n / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _seen(hexstr: str, vision: str) -> np.ndarray:
    return _lab(MACHADO[vision] @ _linear(hexstr))


def _contrast(a: str, b: str) -> float:
    ya, yb = (float(np.array([0.2126, 0.7152, 0.0722]) @ _linear(h)) for h in (a, b))
    return (max(ya, yb) + 0.05) / (min(ya, yb) + 0.05)


def test_the_model_reproduces_the_classic_confusion():
    """Sanity of the simulation: pure red and pure green, far apart normally, nearly merge for a deuteranope."""
    normal = np.linalg.norm(_seen("#FF0000", "normal") - _seen("#00FF00", "normal"))
    deutan = np.linalg.norm(_seen("#FF0000", "deuteranopia") - _seen("#00FF00", "deuteranopia"))
    assert normal > 80 and deutan < normal / 3


@pytest.mark.parametrize("vision", list(MACHADO))
def test_veto_red_and_missed_amber_stay_apart_in_every_vision(vision):
    red, amber = _seen(theme.MEANING["veto"], vision), _seen(theme.MEANING["missed"], vision)
    assert np.linalg.norm(red - amber) >= MIN_DELTA_E, vision
    assert abs(red[0] - amber[0]) >= MIN_DELTA_L, f"{vision}: red L*={red[0]:.1f}, amber L*={amber[0]:.1f}"
    assert red[0] < amber[0]  # red is the darker of the two for everyone: 'darker = worse' holds


@pytest.mark.parametrize("vision", list(MACHADO))
@pytest.mark.parametrize("pair", [("veto", "met"), ("missed", "met")])
def test_met_green_stays_apart_from_red_and_amber(vision, pair):
    a, b = (_seen(theme.MEANING[k], vision) for k in pair)
    assert np.linalg.norm(a - b) >= MIN_DELTA_E, (vision, pair)


def test_red_is_red_and_amber_is_amber():
    """Hue angles in CIELAB: the veto colour is a red (hue near 20–40°), amber an orange-yellow (60–80°)."""
    hue = {k: np.degrees(np.arctan2(*_seen(theme.MEANING[k], "normal")[[2, 1]])) % 360 for k in ("veto", "missed")}
    assert 15 <= hue["veto"] <= 45 and 55 <= hue["missed"] <= 85, hue


@pytest.mark.parametrize("kind", sorted(theme.TEXT))
def test_meaning_colours_used_as_text_are_legible_on_white(kind):
    assert _contrast(theme.TEXT[kind], theme.PAPER) >= 4.5, kind


def test_every_figure_module_takes_the_themes_colours():
    import importlib

    from metrics.views import charts, spc_charts

    figures = importlib.import_module("metrics.briefing.figures")  # the package re-exports a function of that name
    html = importlib.import_module("metrics.briefing.html")

    assert (charts.BAD, charts.AMBER, charts.GOOD) == (theme.RED, theme.AMBER, theme.GREEN)
    assert (spc_charts.COLOURS["veto"], spc_charts.COLOURS["warning"]) == (theme.RED, theme.AMBER)
    assert (figures.RED, figures.AMBER, figures.GREEN) == (theme.RED, theme.AMBER, theme.GREEN)
    assert theme.RED in html._CSS and theme.AMBER in html._CSS and theme.FONT_STACK in html._CSS
