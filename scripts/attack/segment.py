"""White-box segmentation attacker: threshold, components, split or merge, classify crops.

1. Threshold: ink is every pixel at or below a grey level. Candidates are Otsu's level
   of each picture and the fixed levels in FIXED_LEVELS; the one that solves most
   held-out training pictures with a quick linear classifier is kept.
2. Connected components (8-neighbourhood) of the ink. Specks far smaller than the
   characters are dropped, then pieces that share most of their columns are merged
   (parts of one glyph).
3. To the known length: while there are too many pieces, the narrowest is merged with
   its nearest neighbour; while too few, the widest pieces are cut where the fewest ink
   pixels cross, near equal widths.
4. Each piece is cropped to its bounding box, padded to a square and scaled to 28x28;
   an RBF support vector machine on those pixels, trained on the crops of ``--train``
   generated pictures (each labelled by its position in the answer), reads them.

    scripts/attack/.venv/bin/python scripts/attack/segment.py [--train 2000] [--test 200] \\
        [--corpus-bin PATH] [--seed S] [--json FILE]
"""

from __future__ import annotations

import time

import numpy as np
from PIL import Image
from scipy import ndimage
from sklearn.linear_model import RidgeClassifier
from sklearn.svm import SVC

import kit

FIXED_LEVELS = (34, 51, 68, 85, 102, 136)
"""Fixed darkness thresholds tried besides Otsu (grey levels, ink at or below)."""

CROP = 28
"""Side of the square crop the classifier sees."""

SPECK = 0.25
"""A piece with less ink than this fraction of the median character piece is noise."""


def binarize(image: np.ndarray, threshold: int | str) -> np.ndarray:
    """Ink mask: pixels at or below ``threshold`` (a grey level, or "otsu")."""
    level = kit.otsu(image) if threshold == "otsu" else threshold
    return image <= level


def pieces(ink: np.ndarray) -> list[np.ndarray]:
    """Connected components of the ink as ``(2, n)`` arrays of (row, column), sorted left
    to right, with specks dropped and pieces that share most of their columns merged."""
    labels, count = ndimage.label(ink, structure=np.ones((3, 3)))
    if count == 0:
        return []
    rows, cols = np.nonzero(labels)
    order = np.argsort(labels[rows, cols], kind="stable")
    bounds = np.cumsum(np.bincount(labels[rows, cols])[1:])[:-1]
    found = [
        np.stack(p) for p in zip(np.split(rows[order], bounds), np.split(cols[order], bounds))
    ]
    areas = np.array([p.shape[1] for p in found])
    typical = np.median(np.sort(areas)[-kit.LENGTH:])
    found = [p for p, a in zip(found, areas) if a >= SPECK * typical]
    found.sort(key=lambda p: p[1].min())
    merged: list[np.ndarray] = []
    for p in found:  # left to right: merge into the previous piece if mostly under it
        if merged and overlap(merged[-1], p) >= 0.5:
            merged[-1] = np.concatenate([merged[-1], p], axis=1)
        else:
            merged.append(p)
    return merged


def overlap(a: np.ndarray, b: np.ndarray) -> float:
    """Shared columns of two pieces as a fraction of the narrower one's width."""
    shared = min(a[1].max(), b[1].max()) - max(a[1].min(), b[1].min()) + 1
    return max(shared, 0) / min(width(a), width(b))


def width(p: np.ndarray) -> int:
    return int(p[1].max() - p[1].min() + 1)


def to_length(found: list[np.ndarray], length: int) -> list[np.ndarray]:
    """Merges or splits the pieces (sorted left to right) until there are ``length``."""
    found = list(found)
    while len(found) > length:
        n = min(range(len(found)), key=lambda i: width(found[i]))
        neighbours = [i for i in (n - 1, n + 1) if 0 <= i < len(found)]
        m = min(neighbours, key=lambda i: gap(found[n], found[i]))
        lo, hi = sorted((n, m))
        found[lo : hi + 1] = [np.concatenate([found[lo], found[hi]], axis=1)]
    if not found:
        return found
    parts = [1] * len(found)
    while sum(parts) < length:  # the widest share per part gets one more part
        i = max(range(len(found)), key=lambda i: width(found[i]) / parts[i])
        parts[i] += 1
    return [q for p, k in zip(found, parts) for q in split(p, k)]


def gap(a: np.ndarray, b: np.ndarray) -> int:
    """Empty columns between two pieces (negative when they overlap)."""
    return int(max(a[1].min(), b[1].min()) - min(a[1].max(), b[1].max()))


def split(p: np.ndarray, k: int) -> list[np.ndarray]:
    """Cuts a piece into ``k`` parts, each cut at the column with the least ink within a
    quarter part's width of the equal-width cut."""
    left, w = p[1].min(), width(p)
    ink = np.bincount(p[1] - left, minlength=w)
    cuts = [0]
    for j in range(1, k):
        ideal, slack = j * w / k, max(w / (4 * k), 1)
        lo, hi = max(int(ideal - slack), cuts[-1] + 1), min(int(ideal + slack) + 1, w - 1)
        cuts.append(lo + int(np.argmin(ink[lo:hi])) if hi > lo else min(cuts[-1] + 1, w - 1))
    cuts.append(w)
    column = p[1] - left
    return [p[:, (column >= a) & (column < b)] for a, b in zip(cuts, cuts[1:])]


def crop(p: np.ndarray) -> np.ndarray:
    """The piece's ink in its bounding box, padded to a square, as CROP x CROP floats."""
    if p.shape[1] == 0:
        return np.zeros((CROP, CROP), np.float32)
    top, left = p[0].min(), p[1].min()
    h, w = p[0].max() - top + 1, p[1].max() - left + 1
    side = max(h, w)
    square = np.zeros((side, side), np.uint8)
    square[p[0] - top + (side - h) // 2, p[1] - left + (side - w) // 2] = 255
    small = Image.fromarray(square).resize((CROP, CROP), Image.Resampling.BILINEAR)
    return np.asarray(small, np.float32) / 255


def segment(image: np.ndarray, threshold: int | str) -> tuple[np.ndarray, int]:
    """The picture's ``kit.LENGTH`` crops as a ``(LENGTH, CROP * CROP)`` array, and how
    many pieces the ink gave before splitting or merging."""
    found = pieces(binarize(image, threshold))
    chars = to_length(found, kit.LENGTH)
    chars += [np.zeros((2, 0), np.int64)] * (kit.LENGTH - len(chars))  # blank picture
    return np.stack([crop(c).ravel() for c in chars]), len(found)


def segment_all(images: np.ndarray, threshold: int | str) -> tuple[np.ndarray, float]:
    """Crops of every picture, ``(pictures, LENGTH, CROP * CROP)``, and the fraction of
    pictures whose ink gave exactly ``LENGTH`` pieces."""
    crops, counts = zip(*(segment(image, threshold) for image in images))
    return np.stack(crops), float(np.mean(np.array(counts) == kit.LENGTH))


def labels(answers: list[str]) -> np.ndarray:
    """Alphabet indices of every character, ``(pictures, LENGTH)``."""
    return np.array([[kit.ALPHABET.index(c) for c in a.upper()] for a in answers])


def decode(indices: np.ndarray) -> list[str]:
    return ["".join(kit.ALPHABET[i] for i in row) for row in indices.reshape(-1, kit.LENGTH)]


def choose_threshold(images: np.ndarray, answers: list[str]) -> tuple[int | str, dict]:
    """The threshold whose crops a linear classifier, trained on three quarters of the
    training pictures, reads best on the last quarter; and every candidate's figures."""
    y = labels(answers)
    fit = len(images) * 3 // 4
    trials = {}
    for threshold in ("otsu", *FIXED_LEVELS):
        crops, exact = segment_all(images, threshold)
        model = RidgeClassifier().fit(crops[:fit].reshape(-1, CROP * CROP), y[:fit].ravel())
        guesses = decode(model.predict(crops[fit:].reshape(-1, CROP * CROP)))
        solved, _ = kit.score(guesses, answers[fit:])
        trials[str(threshold)] = {"exact_pieces": exact, "linear_solve_rate": solved}
        print(f"threshold {threshold!s:>4}: {100 * exact:5.1f} % of pictures give "
              f"{kit.LENGTH} pieces, linear classifier solves {100 * solved:5.1f} %", flush=True)
    best = max(trials, key=lambda t: (trials[t]["linear_solve_rate"], trials[t]["exact_pieces"]))
    return (best if best == "otsu" else int(best)), trials


def main() -> None:
    args = kit.parser(__doc__.splitlines()[0], train=2000).parse_args()
    train_images, train_answers = kit.load_images(
        args.corpus_bin, args.train, kit.sub_seed(args.seed, 0)
    )
    start = time.process_time()
    threshold, trials = choose_threshold(train_images, train_answers)
    crops, _ = segment_all(train_images, threshold)
    model = SVC(C=10, gamma="scale")
    model.fit(crops.reshape(-1, CROP * CROP), labels(train_answers).ravel())
    train_cpu = time.process_time() - start
    print(f"chose threshold {threshold}; trained in {train_cpu:.1f} CPU-s", flush=True)

    test_images, test_answers = kit.load_images(
        args.corpus_bin, args.test, kit.sub_seed(args.seed, 2)
    )
    test_crops, test_exact = segment_all(test_images, threshold)
    guesses = decode(model.predict(test_crops.reshape(-1, CROP * CROP)))
    kit.report(
        args,
        "segment",
        kind="image",
        train_size=args.train,
        train_cpu_seconds=train_cpu,
        predictions=guesses,
        answers=test_answers,
        extra={
            "threshold": threshold,
            "test_exact_pieces": test_exact,
            "thresholds_tried": trials,
        },
    )


if __name__ == "__main__":
    main()
