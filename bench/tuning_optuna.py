"""Optuna's TPESampler on the test functions of bench/tuning.ts, for comparison.

Run by `npm run bench:tuning`, which passes a JSON job on stdin:
  {"functions": [{"name": ..., "budget": ...}], "seeds": [0, 1, ...]}
and reads one JSON object on stdout:
  {"optuna_version": ..., "results": {name: [best noiseless value per seed, ...]}}

The functions are the same as packages/tuning/src/test-functions.ts (keep them in step). For the
noisy one, the trial with the best *observed* value is picked and its noiseless value reported,
exactly as the TypeScript side does.
"""

import json
import math
import os
import sys
from multiprocessing import Pool

import numpy as np
import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)

NOISY_BRANIN_SD = 2.0


def branin(x1, x2):
    b = 5.1 / (4 * math.pi**2)
    c = 5 / math.pi
    t = 1 / (8 * math.pi)
    return (x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


H_ALPHA = [1.0, 1.2, 3.0, 3.2]
H_A = [
    [10, 3, 17, 3.5, 1.7, 8],
    [0.05, 10, 17, 0.1, 8, 14],
    [3, 3.5, 1.7, 10, 17, 8],
    [17, 8, 0.05, 10, 0.1, 14],
]
H_P = [
    [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
    [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
    [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650],
    [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
]


def hartmann6(xs):
    total = 0.0
    for i in range(4):
        inner = sum(H_A[i][j] * (xs[j] - H_P[i][j]) ** 2 for j in range(6))
        total += H_ALPHA[i] * math.exp(-inner)
    return -total


def suggest_branin(trial):
    return trial.suggest_float("x1", -5, 10), trial.suggest_float("x2", 0, 15)


def nearest(axis, x):
    return min(range(len(axis)), key=lambda i: abs(axis[i] - x))


def run(name, budget, seed, table=None):
    """Best noiseless value found by TPE in `budget` trials."""
    noise = np.random.RandomState(10_000 + seed)
    truth = {}

    def objective(trial):
        if table is not None:
            # The real task: suggested in path order, as the TypeScript sampler walks them.
            lr = trial.suggest_float("hyperparameters.learning_rate", 10 ** table["logLrs"][0], 10 ** table["logLrs"][-1], log=True)
            dropout = trial.suggest_float("regularization.dropout", table["dropouts"][0], table["dropouts"][-1])
            value = table["values"][nearest(table["logLrs"], np.log10(lr))][nearest(table["dropouts"], dropout)]
            truth[trial.number] = value
            return value
        if name == "hartmann6":
            # Suggested in path order (x1 … x6), as the TypeScript sampler walks them.
            xs = [trial.suggest_float(f"x{j + 1}", 0, 1) for j in range(6)]
            value = hartmann6(xs)
            truth[trial.number] = value
            return value
        x1, x2 = suggest_branin(trial)
        value = branin(x1, x2)
        truth[trial.number] = value
        if name == "noisy_branin":
            return value + NOISY_BRANIN_SD * noise.randn()
        return value

    study = optuna.create_study(
        direction="minimize", sampler=optuna.samplers.TPESampler(seed=seed)
    )
    study.optimize(objective, n_trials=budget)
    return truth[study.best_trial.number]


def run_one(task):
    return run(*task)


def main():
    job = json.load(sys.stdin)
    tables = {t["name"]: t for t in job.get("tables", [])}
    tasks = [
        (fn["name"], fn["budget"], seed, tables.get(fn["name"]))
        for fn in job["functions"]
        for seed in job["seeds"]
    ]
    # Studies are independent: one process per core.
    with Pool(os.cpu_count() or 1) as pool:
        values = pool.map(run_one, tasks)
    results = {}
    for (name, _, _, _), value in zip(tasks, values):
        results.setdefault(name, []).append(value)
    json.dump({"optuna_version": optuna.__version__, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
