/**
 * Dual potentials of the entropic optimal transport problems of a (de-biased) Sinkhorn divergence
 * between small uniform point clouds, solved on the CPU in float64 as GeomLoss's tensorised
 * `sinkhorn_loop` does (log-domain symmetric updates, ε-scaling). The loss then takes one more
 * update on the tape, whose potentials carry the gradient. Cost C(x, y) = ½‖x − y‖² (GeomLoss p = 2).
 */

export interface SinkhornSettings {
  /** Target blur σ: the final temperature is ε = σ². */
  blur: number;
  /** Ratio of successive blurs in the ε-scaling (annealing) schedule, in (0, 1). */
  scaling: number;
  /** Extra updates at the final temperature after the schedule, stopping once the potentials settle. */
  iterations: number;
  /** Also solve the two self-transport problems (x↔x, y↔y) of the de-biased divergence. */
  debias: boolean;
}

/** Potentials of one batch element: f on the xs, g on the ys (GeomLoss `f_ba`, `g_ab`, `f_aa`, `g_bb`). */
export interface SinkhornPotentials {
  fBA: Float64Array;
  gAB: Float64Array;
  fAA: Float64Array;
  gBB: Float64Array;
}

/** ½‖a_i − b_j‖² for point clouds stored row-major `count × dim`. */
export function halfSquaredCosts(a: Float64Array, n: number, b: Float64Array, m: number, dim: number): Float64Array {
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let k = 0; k < dim; k++) {
        const d = (a[i * dim + k] as number) - (b[j * dim + k] as number);
        s += d * d;
      }
      out[i * m + j] = 0.5 * s;
    }
  }
  return out;
}

/**
 * Soft C-transform: f_i = −ε log Σ_j exp(h_j − C_ij/ε) for the `n × m` cost matrix C, with
 * h_j = log w_j + g_j/ε (uniform weights w_j = 1/m).
 */
export function softmin(eps: number, cost: Float64Array, n: number, m: number, g: Float64Array): Float64Array {
  const logW = -Math.log(m);
  const out = new Float64Array(n);
  const terms = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let j = 0; j < m; j++) {
      const t = logW + (g[j] as number) / eps - (cost[i * m + j] as number) / eps;
      terms[j] = t;
      if (t > max) max = t;
    }
    let s = 0;
    for (let j = 0; j < m; j++) s += Math.exp((terms[j] as number) - max);
    out[i] = -eps * (max + Math.log(s));
  }
  return out;
}

/**
 * GeomLoss's temperatures: diameter², then diameter^2·scaling^(2k) while above blur², then blur²
 * (`epsilon_schedule` with p = 2). A diameter below the blur starts at blur² (GeomLoss would start
 * at diameter², 0 for identical points, and divide by it).
 */
export function epsilonSchedule(diameter: number, blur: number, scaling: number): number[] {
  const d = Math.max(diameter, blur);
  const list = [d * d];
  const start = 2 * Math.log(d);
  const stop = 2 * Math.log(blur);
  const step = 2 * Math.log(scaling);
  const count = Math.max(0, Math.ceil((stop - start) / step));
  for (let k = 0; k < count; k++) list.push(Math.exp(start + k * step));
  list.push(blur * blur);
  return list;
}

/** The largest distance between corners of the bounding box of all the points (GeomLoss `max_diameter`). */
export function boundingDiameter(clouds: readonly Float64Array[], dim: number): number {
  const lo = new Float64Array(dim).fill(Infinity);
  const hi = new Float64Array(dim).fill(-Infinity);
  for (const cloud of clouds) {
    for (let i = 0; i < cloud.length; i++) {
      const k = i % dim;
      const v = cloud[i] as number;
      if (v < (lo[k] as number)) lo[k] = v;
      if (v > (hi[k] as number)) hi[k] = v;
    }
  }
  let s = 0;
  for (let k = 0; k < dim; k++) s += ((hi[k] as number) - (lo[k] as number)) ** 2;
  return Math.sqrt(s);
}

const average = (a: Float64Array, b: Float64Array) => a.map((v, i) => 0.5 * (v + (b[i] as number)));

/**
 * The potentials after GeomLoss's symmetric Sinkhorn loop over `schedule`, then up to
 * `settings.iterations` more updates at the last temperature, stopped when no potential moves by
 * more than 1e-12·(1 + its size). Ready for the final (differentiable) update.
 */
export function sinkhornLoop(x: Float64Array, n: number, y: Float64Array, m: number, dim: number, schedule: readonly number[], settings: SinkhornSettings): SinkhornPotentials {
  const cxy = halfSquaredCosts(x, n, y, m, dim);
  const cyx = halfSquaredCosts(y, m, x, n, dim);
  const cxx = settings.debias ? halfSquaredCosts(x, n, x, n, dim) : new Float64Array(0);
  const cyy = settings.debias ? halfSquaredCosts(y, m, y, m, dim) : new Float64Array(0);
  const zeroN = new Float64Array(n);
  const zeroM = new Float64Array(m);
  let eps = schedule[0] as number;
  let gAB = softmin(eps, cyx, m, n, zeroN);
  let fBA = softmin(eps, cxy, n, m, zeroM);
  let fAA = settings.debias ? softmin(eps, cxx, n, n, zeroN) : zeroN;
  let gBB = settings.debias ? softmin(eps, cyy, m, m, zeroM) : zeroM;
  const update = (): number => {
    const ftBA = softmin(eps, cxy, n, m, gAB);
    const gtAB = softmin(eps, cyx, m, n, fBA);
    let moved = 0;
    const track = (next: Float64Array, prev: Float64Array) => {
      for (let i = 0; i < next.length; i++) moved = Math.max(moved, Math.abs((next[i] as number) - (prev[i] as number)) / (1 + Math.abs(prev[i] as number)));
      return next;
    };
    fBA = track(average(fBA, ftBA), fBA);
    gAB = track(average(gAB, gtAB), gAB);
    if (settings.debias) {
      fAA = track(average(fAA, softmin(eps, cxx, n, n, fAA)), fAA);
      gBB = track(average(gBB, softmin(eps, cyy, m, m, gBB)), gBB);
    }
    return moved;
  };
  for (const e of schedule) {
    eps = e;
    update();
  }
  for (let k = 0; k < settings.iterations; k++) if (update() <= 1e-12) break;
  return { fBA, gAB, fAA, gBB };
}
