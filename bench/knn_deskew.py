"""How much of the gap between MNIST's two writer populations is slant? A model-free probe.

    python bench/knn_deskew.py [--data ../shared/data/mnist] [--k 3]

A k-nearest-neighbour classifier (Euclidean distance on the pixels, majority vote) trained on
one population of t10k and measured on the first half of the other (A -> B: train 0:5000,
measure 5000:7500; B -> A: train 5000:10000, measure 0:2500), on the digits as they are and
deskewed (convviz.digits.deskew). No learning, no choice: it shows what deskewing does to
the distance between the populations, before any network is trained on them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def knn_accuracy(train: np.ndarray, train_labels: np.ndarray, test: np.ndarray, test_labels: np.ndarray,
                 k: int) -> float:
    a = train.reshape(len(train), -1).astype(np.float64)
    b = test.reshape(len(test), -1).astype(np.float64)
    dist = (a**2).sum(axis=1)[None] - 2 * b @ a.T  # |b|^2 is the same for every row: left out
    nearest = np.argsort(dist, axis=1)[:, :k]
    votes = train_labels[nearest]
    predicted = np.array([np.bincount(v, minlength=10).argmax() for v in votes])
    return float((predicted == test_labels).mean())


def main() -> None:
    from convviz.digits.deskew import deskew
    from convviz.digits.mnist import load_mnist

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "mnist"))
    parser.add_argument("--k", type=int, default=3)
    args = parser.parse_args()
    images, labels = load_mnist(args.data, "t10k")
    labels = labels.astype(np.int64)
    for name, x in (("as they are", images), ("deskewed", deskew(images))):
        ab = knn_accuracy(x[:5000], labels[:5000], x[5000:7500], labels[5000:7500], args.k)
        ba = knn_accuracy(x[5000:], labels[5000:], x[:2500], labels[:2500], args.k)
        print(f"{args.k}-NN, digits {name:12s}: A->B {ab:.2%}   B->A {ba:.2%}")


if __name__ == "__main__":
    main()
