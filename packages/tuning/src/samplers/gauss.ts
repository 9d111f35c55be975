import { normal, type Rng } from '../prng';

/**
 * Gaussian arithmetic for the Parzen estimator, in log space because TPE compares densities that
 * can be far out in a kernel's tail (a kernel's width can shrink to 1/100 of the range).
 */

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** log of the standard normal density at `z`. */
export function logNormalPdf(z: number): number {
  return -0.5 * z * z - LOG_SQRT_2PI;
}

/**
 * log erfc(x). For x >= 0 this is the Chebyshev fit of Numerical Recipes (`erfcc`, fractional
 * error below 1.2e-7 everywhere), which is already written as an exponential, so its logarithm
 * stays accurate deep in the tail where erfc itself underflows.
 */
export function logErfc(x: number): number {
  if (x < 0) return Math.log(2 - Math.exp(logErfc(-x)));
  const t = 1 / (1 + 0.5 * x);
  const poly =
    -1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t *
                      (0.27886807 +
                        t *
                          (-1.13520398 +
                            t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  return Math.log(t) - x * x + poly;
}

/** log P(Z > z) for a standard normal Z. */
function logUpperTail(z: number): number {
  return Math.log(0.5) + logErfc(z / Math.SQRT2);
}

/** log(1 - e^x) for x <= 0, accurate at both ends (Mächler's log1mexp). */
function log1mexp(x: number): number {
  return x > -Math.LN2 ? Math.log(-Math.expm1(x)) : Math.log1p(-Math.exp(x));
}

function logSumExp3(a: number, b: number, c: number): number {
  const m = Math.max(a, b, c);
  if (m === Number.NEGATIVE_INFINITY) return m;
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m) + Math.exp(c - m));
}

/** log P(a < Z < b) for a standard normal Z; `-Infinity` when `b <= a`. */
export function logGaussMass(a: number, b: number): number {
  if (!(b > a)) return Number.NEGATIVE_INFINITY;
  const width = b - a;
  const mid = 0.5 * (a + b);
  // A narrow interval: the difference of two tails would cancel, while Simpson's rule on the
  // density is exact to ~(width·|z|)^4/2880 relative, far below 1e-8 under this bound.
  if (width * (1 + Math.abs(mid)) < 0.05) {
    return (
      Math.log(width / 6) +
      logSumExp3(logNormalPdf(a), Math.log(4) + logNormalPdf(mid), logNormalPdf(b))
    );
  }
  if (a >= 0) {
    const la = logUpperTail(a);
    return la + log1mexp(logUpperTail(b) - la);
  }
  if (b <= 0) return logGaussMass(-b, -a);
  return Math.log1p(-(Math.exp(logUpperTail(-a)) + Math.exp(logUpperTail(b))));
}

/**
 * A draw from N(mu, sigma²) restricted to `[low, high]`. Rejection is enough here: every
 * kernel's centre lies inside the bounds and its width is at most the range, so at least a third
 * of the draws land inside.
 */
export function sampleTruncatedNormal(
  rng: Rng,
  mu: number,
  sigma: number,
  low: number,
  high: number,
): number {
  for (let i = 0; i < 1000; i++) {
    const x = mu + sigma * normal(rng);
    if (x >= low && x <= high) return x;
  }
  return Math.min(high, Math.max(low, mu));
}
