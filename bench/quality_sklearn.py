"""scikit-learn baselines for bench/quality.ts: one task in (a JSON file), predictions out.

The task: {"kind": "table" | "text" | "image" | "features", "task": "classification" | "regression",
"train": {"x": [...], "y": [...]}, "test": {"x": [...]}}. Tables are rows of {column: value}
(numbers, strings or null); texts are strings; images are flat lists of pixels in [0, 255];
features are flat lists of numbers.
Prints one JSON line: {"predictions": [...], "model": "...", "sklearn": version, "seconds": s}.

Each baseline is scikit-learn's defaults, as a ten-line script would use them: tables get
mean-imputed standardized numbers and one-hot categories, then LogisticRegression or Ridge;
texts get TfidfVectorizer + LogisticRegression; images get pixels / 255 + LogisticRegression;
features (a frozen network's, bench/fewshot.ts) get StandardScaler + LogisticRegression.
"""

import json
import sys
import time

import numpy as np
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler


def table_pipeline(rows, head):
    columns = list(rows[0].keys())
    numeric = [c for c in columns if all(r[c] is None or isinstance(r[c], (int, float)) for r in rows)]
    categorical = [c for c in columns if c not in numeric]
    prepare = ColumnTransformer(
        [
            ("numbers", make_pipeline(SimpleImputer(), StandardScaler()), [columns.index(c) for c in numeric]),
            ("categories", OneHotEncoder(handle_unknown="ignore"), [columns.index(c) for c in categorical]),
        ]
    )
    return make_pipeline(prepare, head), columns, numeric


def table_matrix(rows, columns, numeric):
    # An object array keeps numbers and strings apart per column; None becomes NaN for the imputer.
    out = np.empty((len(rows), len(columns)), dtype=object)
    for i, r in enumerate(rows):
        for j, c in enumerate(columns):
            v = r[c]
            out[i, j] = (np.nan if v is None else float(v)) if c in numeric else ("" if v is None else str(v))
    return out


def main():
    task = json.load(open(sys.argv[1]))
    started = time.time()
    regression = task["task"] == "regression"
    train_x, train_y, test_x = task["train"]["x"], task["train"]["y"], task["test"]["x"]
    if task["kind"] == "table":
        head = Ridge() if regression else LogisticRegression(max_iter=1000)
        model, columns, numeric = table_pipeline(train_x, head)
        model.fit(table_matrix(train_x, columns, numeric), train_y)
        predictions = model.predict(table_matrix(test_x, columns, numeric))
        name = f"{'Ridge' if regression else 'LogisticRegression'} (impute, scale, one-hot)"
    elif task["kind"] == "text":
        model = make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=1000))
        model.fit(train_x, train_y)
        predictions = model.predict(test_x)
        name = "TfidfVectorizer + LogisticRegression"
    elif task["kind"] == "features":
        # A linear probe: a frozen network's features, standardized, then logistic regression.
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
        model.fit(np.asarray(train_x, dtype=np.float32), train_y)
        predictions = model.predict(np.asarray(test_x, dtype=np.float32))
        name = "StandardScaler + LogisticRegression on frozen features"
    else:
        model = LogisticRegression(max_iter=1000)
        model.fit(np.asarray(train_x, dtype=np.float32) / 255, train_y)
        predictions = model.predict(np.asarray(test_x, dtype=np.float32) / 255)
        name = "LogisticRegression on pixels / 255"
    print(
        json.dumps(
            {
                "predictions": [p.item() if hasattr(p, "item") else p for p in predictions],
                "model": name,
                "sklearn": sklearn.__version__,
                "seconds": time.time() - started,
            }
        )
    )


main()
