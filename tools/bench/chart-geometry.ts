/**
 * Reading the explorer chart like a person does: where on screen is the point (cost, accuracy)?
 * Interpolates between the first and last tick label of each axis as drawn in the SVG (the label's
 * position and the number it shows), linearly or in log10 for a log axis. Shared by the browser benchmark
 * and the e2e tests. Page-side code is a plain string (no bundler helpers leak into the page).
 *
 * After `page.evaluate(CHART_GEOMETRY_SOURCE)`:
 *   window.__pointToClient(cost, accuracy, logX) -> { x, y } in CSS pixels of the viewport
 */
export const CHART_GEOMETRY_SOURCE = `
window.__pointToClient = function (cost, accuracy, logX) {
  var svg = document.querySelector('.sb-chart-host svg.sb-chart-svg');
  if (!svg) throw new Error('no chart on the page');
  // Tick labels: <text class="sb-tick-label" x=.. y=..>; an x label's x and a y label's y are its tick's position.
  function ticks(axisClass, attr) {
    var ts = Array.prototype.map.call(svg.querySelectorAll('.' + axisClass + ' text.sb-tick-label'), function (t) {
      return { v: Number(t.textContent.replace(/,/g, '')), px: Number(t.getAttribute(attr)) };
    });
    if (ts.length < 2) throw new Error('axis ' + axisClass + ' has fewer than 2 tick labels');
    return ts;
  }
  function interp(ts, v, log) {
    var a = ts[0], b = ts[ts.length - 1];
    var f = log ? Math.log10 : function (z) { return z; };
    return a.px + (f(v) - f(a.v)) / (f(b.v) - f(a.v)) * (b.px - a.px);
  }
  var box = svg.getBoundingClientRect();
  return {
    x: box.left + interp(ticks('sb-axis-x', 'x'), cost, !!logX),
    y: box.top + interp(ticks('sb-axis-y', 'y'), accuracy, false),
  };
};
`;

export type TClientPoint = { x: number; y: number };
