// The browser bench's "drawn" condition (bench/browser.py), injected before any page script runs.
// Records every websocket message (time, bytes); __bench.arm() + a click or key sets t0 to that event's time;
// __bench.wait(quiet, timeout) resolves at the first frame after the last message at which a script run had started
// since t0 and finished (data-test-script-state notRunning, in two frames running), no element was a loading
// skeleton and every plotly chart on screen had its SVG, once the socket has been quiet for `quiet` ms.
// A run too quick for the DOM to show it running (React batches both states) needs 1 s of quiet instead.
// Times are ms from t0 (a visit: navigation start).
(() => {
  const B = (window.__bench = { t0: 0, armed: false, msgs: [], runs: [], busy: [] });
  // the browser's main thread busy (tasks over 50 ms: parsing, React, plotly), from the Performance API
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) B.busy.push([e.startTime, e.duration]);
    }).observe({ type: "longtask", buffered: true });
  } catch (e) {
    /* no longtask timing in this browser: "busy" stays 0 */
  }
  // every start of a script run (stApp's data-test-script-state turning "running"), as it happens
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.target.getAttribute("data-test-script-state") === "running") B.runs.push(performance.now());
    }
  }).observe(document, {
    subtree: true,
    attributes: true,
    attributeFilter: ["data-test-script-state"],
  });
  const W = window.WebSocket;
  function Wrapped(...a) {
    const ws = new W(...a);
    ws.addEventListener("message", (e) => {
      const d = e.data;
      B.msgs.push([performance.now(), d.byteLength ?? d.size ?? d.length ?? 0]);
    });
    return ws;
  }
  Wrapped.prototype = W.prototype;
  for (const k of ["CONNECTING", "OPEN", "CLOSING", "CLOSED"]) Wrapped[k] = W[k];
  window.WebSocket = Wrapped;
  for (const ev of ["pointerdown", "keydown"]) {
    window.addEventListener(
      ev,
      (e) => {
        if (B.armed) {
          B.armed = false;
          B.t0 = e.timeStamp;
        }
      },
      true,
    );
  }
  B.arm = () => {
    B.armed = true;
    B.t0 = null;
  };
  const done = () => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.getAttribute("data-test-script-state") !== "notRunning") return false;
    // a lazily loaded element (plotly's bundle, a table) shows a skeleton until its code has arrived
    if (document.querySelector('[data-testid="stSkeleton"]')) return false;
    // every chart on screen has its SVG (a chart in a closed expander or another tab is not drawn until opened)
    for (const c of document.querySelectorAll(':is([data-testid="stPlotlyChart"], .stBidiComponent)')) {
      if (c.offsetParent === null) continue;
      if (!c.querySelector(".js-plotly-plot .main-svg")) return false;
      if (c.querySelector(".integrity-chart[data-pending]")) return false;  // a chart updated in place: not yet
    }
    // a chart component whose script has not yet made its div (ui/charts.py) is not drawn either
    for (const c of document.querySelectorAll(".stBidiComponent")) {
      if (c.offsetParent !== null && !c.querySelector(".integrity-chart[data-drawn] .main-svg")) return false;
    }
    return true;
  };
  B.wait = (quiet, timeout) =>
    new Promise((resolve, reject) => {
      if (B.armed || B.t0 === null) {
        reject(new Error("the gesture was not seen"));
        return;
      }
      const t0 = B.t0 || 0;
      const start = performance.now();
      let stable = null, frames = 0, seen = -1;
      const tick = () => {
        const now = performance.now();
        const after = B.msgs.filter((m) => m[0] >= t0);
        const n = after.length;
        // a run too quick to show "running" in the DOM (React batches both states): a longer quiet proves it over
        const ran = B.runs.some((r) => r >= t0);
        if (n && done()) {
          if (stable === null || seen !== n) {
            stable = now;
            frames = 0;
            seen = n;
          }
          frames += 1;
        } else {
          stable = null;
          frames = 0;
        }
        const last = n ? after[n - 1][0] : null;
        if (stable !== null && frames >= 2 && now - last >= (ran ? quiet : 1000)) {
          resolve({
            drawn: stable - t0,
            first_msg: after[0][0] - t0,
            last_msg: last - t0,
            msgs: n,
            bytes: after.reduce((s, m) => s + m[1], 0),
            runs: B.runs.filter((r) => r >= t0).length,
            busy: B.busy.filter((b) => b[0] >= t0 && b[0] <= stable).reduce((s, b) => s + b[1], 0),
            charts: document.querySelectorAll(':is([data-testid="stPlotlyChart"], .stBidiComponent)').length,
          });
          return;
        }
        if (now - start > timeout) {
          const app = document.querySelector('[data-testid="stApp"]');
          const q = (sel) => document.querySelectorAll(sel).length;
          reject(new Error(`not drawn after ${timeout} ms: ${n} messages, ` +
            `${B.runs.filter((r) => r >= t0).length} runs, state ${app && app.getAttribute("data-test-script-state")}, ` +
            `${q('[data-testid="stSkeleton"]')} skeletons, ${q(':is([data-testid="stPlotlyChart"], .stBidiComponent)')} charts, ` +
            `${q(".js-plotly-plot .main-svg")} chart SVGs`));
          return;
        }
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
})();
