"""The PyTorch CPU side of `npm run bench:train` (see README-train.md).

Trains the same model as bench/train.ts (the small CNN on MNIST, the MLP on cars or the LSTM text
model on SpamAssassin, named by `model` in meta.json) on the same split, read from the raw files the
TypeScript side writes, and prints one JSON line: samples/s of the timed epochs and test accuracy
(of the timed model, and of every model when argument 5 asks for several initializations).
"""
import json
import os
import sys
import time

import numpy as np
import torch
from torch import nn


def load(folder, name, dtype, shape):
    return np.fromfile(os.path.join(folder, name), dtype=dtype).reshape(shape)


def small_cnn():
    # conv-bn-relu-pool ×2, dropout, dense: the model of bench/train.ts (NCHW here, NHWC there),
    # with PyTorch's default initialization, which bench/train.ts reproduces in tfjs.
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1, bias=False),
        nn.BatchNorm2d(16, eps=1e-3, momentum=0.1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1, bias=False),
        nn.BatchNorm2d(32, eps=1e-3, momentum=0.1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Dropout(0.25),
        nn.Flatten(),
        nn.Linear(32 * 7 * 7, 10),
    )


def mlp(features, classes):
    # Dense 64-32 ReLU, softmax (in the loss): the MLP of bench/train.ts.
    return nn.Sequential(
        nn.Linear(features, 64),
        nn.ReLU(),
        nn.Linear(64, 32),
        nn.ReLU(),
        nn.Linear(32, classes),
    )


class LstmText(nn.Module):
    # Embedding(vocab, 32) -> LSTM(32), last hidden state -> dense 2: the LSTM of bench/train.ts.
    def __init__(self, vocab):
        super().__init__()
        self.embedding = nn.Embedding(vocab, 32)
        self.lstm = nn.LSTM(32, 32, batch_first=True)
        self.dense = nn.Linear(32, 2)

    def forward(self, ids):
        _, (h, _) = self.lstm(self.embedding(ids))
        return self.dense(h[-1])


def main():
    folder, epochs, batch, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    # Models trained from initializations 0 … inits-1 (the first is the timed one): test accuracy
    # over several, as one initialization's test accuracy on a small split moves by whole examples.
    inits = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    torch.set_num_threads(threads)
    meta = json.load(open(os.path.join(folder, "meta.json")))
    n_train, n_test = meta["train"], meta["test"]
    kind = meta.get("model", "cnn")
    if kind == "lstm":
        ext, dtype, shape, build = "i32", np.int32, (meta["seq_len"],), lambda: LstmText(meta["vocab"])
    elif kind == "mlp":
        ext, dtype, shape, build = "f32", np.float32, (meta["features"],), lambda: mlp(meta["features"], meta["classes"])
    else:
        ext, dtype, shape, build = "f32", np.float32, (1, 28, 28), small_cnn

    def x_of(name, n):
        x = load(folder, name, dtype, (n,) + shape)
        return torch.from_numpy(x.astype(np.int64) if kind == "lstm" else x.copy())

    x_train = x_of(f"train_x.{ext}", n_train)
    y_train = torch.from_numpy(load(folder, "train_y.u8", np.uint8, (n_train,)).astype(np.int64))
    x_test = x_of(f"test_x.{ext}", n_test)
    y_test = torch.from_numpy(load(folder, "test_y.u8", np.uint8, (n_test,)).astype(np.int64))

    def train(seed):
        torch.manual_seed(seed)
        model = build()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
        loss_fn = nn.CrossEntropyLoss()

        def step(xb, yb):
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()

        model.train()
        step(x_train[:batch], y_train[:batch])  # warm-up, not timed (as on the TypeScript side)
        generator = torch.Generator().manual_seed(1)
        start = time.perf_counter()
        cpu_start = time.process_time()  # every thread of this process
        for _ in range(epochs):
            order = torch.randperm(n_train, generator=generator)
            for i in range(0, n_train, batch):
                idx = order[i : i + batch]
                step(x_train[idx], y_train[idx])
        seconds = time.perf_counter() - start
        cpu_seconds = time.process_time() - cpu_start
        model.eval()
        with torch.no_grad():
            accuracy = (model(x_test).argmax(1) == y_test).float().mean().item()
        return seconds, cpu_seconds, accuracy

    seconds, cpu_seconds, accuracy = train(0)
    accuracies = [accuracy] + [train(seed)[2] for seed in range(1, inits)]
    print(json.dumps({
        "samples_per_s": epochs * n_train / seconds,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "accuracy": accuracy,
        "accuracies": accuracies,
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main()
