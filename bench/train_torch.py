"""The PyTorch CPU side of `npm run bench:train` (see README-train.md).

Trains the same small CNN as bench/train.ts on the same MNIST split, read from the raw files the
TypeScript side writes, and prints one JSON line: samples/s of the timed epochs and test accuracy.
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
    # conv-bn-relu-pool ×2, dropout, dense: the model of bench/train.ts (NCHW here, NHWC there).
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


def main():
    folder, epochs, batch, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    meta = json.load(open(os.path.join(folder, "meta.json")))
    n_train, n_test = meta["train"], meta["test"]
    x_train = torch.from_numpy(load(folder, "train_x.f32", np.float32, (n_train, 1, 28, 28)).copy())
    y_train = torch.from_numpy(load(folder, "train_y.u8", np.uint8, (n_train,)).astype(np.int64))
    x_test = torch.from_numpy(load(folder, "test_x.f32", np.float32, (n_test, 1, 28, 28)).copy())
    y_test = torch.from_numpy(load(folder, "test_y.u8", np.uint8, (n_test,)).astype(np.int64))

    model = small_cnn()
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
    for _ in range(epochs):
        order = torch.randperm(n_train, generator=generator)
        for i in range(0, n_train, batch):
            idx = order[i : i + batch]
            step(x_train[idx], y_train[idx])
    seconds = time.perf_counter() - start

    model.eval()
    with torch.no_grad():
        accuracy = (model(x_test).argmax(1) == y_test).float().mean().item()
    print(json.dumps({
        "samples_per_s": epochs * n_train / seconds,
        "seconds": seconds,
        "accuracy": accuracy,
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main()
