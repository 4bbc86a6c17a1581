/**
 * Pareto frontier of cost (lower is better) against accuracy (higher is better).
 *
 * Definition: q is DOMINATED by p when p costs no more AND is at least as accurate AND is strictly
 * better in one of the two (p.cost < q.cost or p.accuracy > q.accuracy). The frontier is every point
 * no other point dominates.
 * Ties: two points with exactly equal cost and accuracy do not dominate each other, so both are on the
 * frontier when either is. Equal cost with lower accuracy, or equal accuracy at higher cost, is dominated.
 * Values are compared exactly (no tolerance): the inputs are the published/measured numbers themselves.
 * Non-finite values are the caller's bug: extractPoints never produces them.
 */

export type TCostAccuracy = { cost: number; accuracy: number };

export function dominates(p: TCostAccuracy, q: TCostAccuracy): boolean {
  return p.cost <= q.cost && p.accuracy >= q.accuracy && (p.cost < q.cost || p.accuracy > q.accuracy);
}

/**
 * Indices (into `points`) of the frontier, ordered by cost ascending (then by index for exact ties),
 * which is the order the step line is drawn in. O(n log n): sort by cost asc, accuracy desc, then
 * sweep keeping the best accuracy seen so far.
 */
export function paretoFrontierIndices(points: readonly TCostAccuracy[]): number[] {
  const order = points.map((_, i) => i);
  order.sort((a, b) => points[a].cost - points[b].cost || points[b].accuracy - points[a].accuracy || a - b);
  const frontier: number[] = [];
  let bestAccuracy = -Infinity;
  let bestCost = NaN; // cost of the cheapest point reaching bestAccuracy
  for (const i of order) {
    const { cost, accuracy } = points[i];
    if (accuracy > bestAccuracy) {
      frontier.push(i);
      bestAccuracy = accuracy;
      bestCost = cost;
    } else if (accuracy === bestAccuracy && cost === bestCost) {
      frontier.push(i); // exact duplicate of a frontier point
    }
  }
  return frontier;
}

/**
 * The frontier as a step function for drawing: at budget c the best reachable accuracy is that of the
 * last frontier point with cost <= c, so the line holds each point's accuracy until the next point's
 * cost and then steps up (a "step-after" line). Input: frontier points in cost order.
 * Output: vertices [x0,y0],[x1,y0],[x1,y1],... (duplicates removed).
 */
export function frontierStepVertices(frontier: readonly TCostAccuracy[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < frontier.length; i++) {
    const p = frontier[i];
    if (i > 0) {
      const prev = out[out.length - 1];
      if (prev[0] !== p.cost) out.push([p.cost, prev[1]]);
    }
    const last = out[out.length - 1];
    if (!last || last[0] !== p.cost || last[1] !== p.accuracy) out.push([p.cost, p.accuracy]);
  }
  return out;
}
