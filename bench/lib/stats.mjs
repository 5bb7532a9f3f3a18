// Small statistics helpers: medians, percentiles and spreads over a few rounds.

export function quantile(values, q) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const pos = (v.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return v[lo] + (v[hi] - v[lo]) * (pos - lo);
}

export const median = (values) => quantile(values, 0.5);

/** { median, min, max, n, values } of the finite values (null fields when there are none). */
export function summarize(values) {
  const v = values.filter((x) => Number.isFinite(x));
  if (v.length === 0) return { median: null, min: null, max: null, n: 0, values: [] };
  return { median: median(v), min: Math.min(...v), max: Math.max(...v), n: v.length, values: v };
}

/** Ratio of two medians (null when either is missing or the divisor is 0). */
export function ratio(a, b) {
  if (a == null || b == null || b === 0) return null;
  return a / b;
}
