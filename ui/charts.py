"""Every plotly chart of every page and slide, drawn so that a rerun updates it in place.

``st.plotly_chart`` (Streamlit 1.67) keeps the figure in its frontend state, set once per element id, and puts the
figure into that id: every changed chart is unmounted and drawn from nothing, which was most of a filter change's
and a slide change's time. ``chart`` instead mounts a small custom component (``st.components.v2``, inline JS) whose
identity is its key alone: on a rerun its script gets the new figure and calls ``Plotly.react`` on the div it drew
before, which changes only what changed.

Which plotly.js: Streamlit's own. The component imports Streamlit's plotly chunk (the file ``st.plotly_chart``
loads; the browser has it cached, immutable, and the same module instance when a page also drew a
``st.plotly_chart``) and reads the ``window.Plotly`` it sets. So every chart is drawn by the one plotly.js that
Streamlit was released with, as before, and nothing else is served. Both are Streamlit's internals and may change
on an upgrade: the chunk's hashed name is looked up in the installed package at start (``_plotly_chunk``), and a
page whose chunk does not set ``window.Plotly`` shows the chart's error text instead of an empty box;
``tests/test_chart_component.py`` and ``tests/e2e/test_live_charts.py`` fail loudly in both cases. When the chunk cannot be
found, or ``$INTEGRITY_PLAIN_CHARTS=1``, every chart is a ``st.plotly_chart`` again (same arguments, same clicks).

A click: the component reports the clicked point's ``customdata`` (a department's code, a risk cell) as a trigger
value, which lasts one run; ``chart`` returns the same shape a ``st.plotly_chart(on_select="rerun")`` event has
(``.selection["points"][i]["customdata"]``), so a page handles both alike.
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from types import SimpleNamespace

import streamlit as st

PLOTLY_CONFIG = {"displayModeBar": False, "displaylogo": False}
PLAIN_ENV = "INTEGRITY_PLAIN_CHARTS"
COMPONENT = "integrity_chart"
DEFAULT_HEIGHT = 450  # plotly's own default: what a figure without a layout height is drawn at, either way

# The component's script. `data` is {figure: JSON text, config, chunk, height, clicks}. The div is made once per
# mount and kept on the component's element; React keeps that element across reruns because its identity is the key.
_JS = r"""
let loading = null;
const CELLS = new Set(["heatmap", "contour", "histogram2d", "histogram2dcontour"]);
function plotly(chunk) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!loading) {
    const index = document.querySelector('script[src*="/static/js/index."]');
    const url = new URL("./" + chunk, index ? index.src : document.baseURI + "static/js/");
    loading = import(url.href).then(() => {
      if (!window.Plotly) throw new Error("Streamlit's plotly chunk " + chunk + " set no window.Plotly");
      return window.Plotly;
    });
    loading.catch(() => { loading = null; });
  }
  return loading;
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let div = parentElement.querySelector(".integrity-chart");
  if (!div) {
    div = document.createElement("div");
    div.className = "integrity-chart";
    parentElement.appendChild(div);
  }
  div.style.height = data.height ? data.height + "px" : "100%";
  div.style.width = "100%";
  const figure = JSON.parse(data.figure);
  const layout = Object.assign({}, figure.layout || {}, { autosize: true });
  if (data.height) layout.height = data.height;
  const seq = (div._integritySeq || 0) + 1;
  div._integritySeq = seq;
  div.dataset.pending = "1";  // until this figure is drawn: what a test or the bench waits on
  plotly(data.chunk).then((Plotly) => {
    if (div._integritySeq !== seq) return;  // a newer figure came while plotly.js was loading
    return Plotly.react(div, figure.data || [], layout, Object.assign({ responsive: true }, data.config)).then(() => {
      div.dataset.drawn = String(seq);
      delete div.dataset.pending;
      if (data.clicks && !div._integrityClicks) {
        div._integrityClicks = true;
        div.on("plotly_click", (ev) => {
          // as a st.plotly_chart selection: a heat map's cells are not points (the unseen markers over them are)
          const points = (ev.points || [])
            .filter((p) => !(p.data && CELLS.has(p.data.type)))
            .map((p) => ({ customdata: p.customdata === undefined ? null : p.customdata }));
          setTriggerValue("click", { points });
        });
      }
    });
  }).catch((err) => {
    div.textContent = String(err && err.message ? err.message : err);
    div.dataset.failed = "1";
  });
  return () => {
    // React calls this when the element goes, and before a new figure: purge only a div that has left the page
    setTimeout(() => { if (!div.isConnected && window.Plotly) window.Plotly.purge(div); }, 0);
  };
}
"""

_CSS = ".integrity-chart {min-height: 10px;}"


@functools.cache
def _plotly_chunk() -> str | None:
    """The file name of Streamlit's plotly chunk in the installed package (``PlotlyChart.<hash>.js``), or None."""
    js = Path(st.__file__).parent / "static" / "static" / "js"
    found = sorted(p.name for p in js.glob("PlotlyChart.*.js"))
    return found[0] if len(found) == 1 else None


@functools.cache
def _component():
    return st.components.v2.component(COMPONENT, js=_JS, css=_CSS, isolate_styles=False)


def live() -> bool:
    """Whether charts are drawn by the component (else by ``st.plotly_chart``)."""
    return os.environ.get(PLAIN_ENV, "") != "1" and _plotly_chunk() is not None


def _height(figure, height) -> int | None:
    if isinstance(height, int):
        return height
    if height == "stretch":
        return None
    h = figure.layout.height
    return int(h) if h else DEFAULT_HEIGHT


def chart(figure, key: str, *, clicks: bool = False, height: int | str = "content", where=None):
    """Draw ``figure`` under ``key`` (one identity: a rerun with another figure updates the same chart).

    ``clicks``: return the clicked points as a ``st.plotly_chart`` selection event does (else None).
    ``height``: "content" (the figure's layout height), "stretch" (fill the container) or pixels.
    ``where``: a column or container to draw in (default: the page).
    """
    if not live():
        kwargs = dict(theme=None, key=key, config=PLOTLY_CONFIG, width="stretch", height=height)
        if clicks:
            kwargs.update(on_select="rerun", selection_mode="points")
        return (where if where is not None else st).plotly_chart(figure, **kwargs)
    h = _height(figure, height)
    data = {
        "figure": figure.to_json(),
        "config": PLOTLY_CONFIG,
        "chunk": _plotly_chunk(),
        "height": h,
        "clicks": clicks,
    }
    mount = functools.partial(
        _component(),
        key=key,
        data=data,
        height=h if h is not None else "stretch",
        **({"on_click_change": _noop} if clicks else {}),
    )
    if where is None:
        result = mount()
    else:
        with where:
            result = mount()
    if not clicks:
        return None
    picked = getattr(result, "click", None) or {}
    return SimpleNamespace(selection={"points": list(picked.get("points") or [])})


def figure_in(element) -> dict | None:
    """The figure (plotly JSON) an AppTest element draws: a ``st.plotly_chart``'s or this component's, else None.
    Tests read charts through it, so they check the figures whichever way they are drawn."""
    kind = getattr(element, "type", "")
    if kind == "plotly_chart":
        return json.loads(element.proto.spec)
    if kind == "bidi_component" and element.proto.component_name == COMPONENT:
        which = element.proto.WhichOneof("data")
        data = json.loads(element.proto.json if which == "json" else element.proto.mixed.json)
        return json.loads(data["figure"])
    return None


def _noop() -> None:
    pass
