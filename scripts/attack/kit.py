"""Shared pieces of the attack kit: corpora from the generator, loading, scoring, reporting.

Every attacker trains on challenges it makes with the corpus writer (the white-box
attacker's view: our generator is open source) and tests on fresh ones. The corpus
writer is a binary, ``--corpus-bin``, so the same attacker runs against the generator
of any revision::

    CORPUS_BIN --kind image|audio --count N --out DIR [--seed S]

writes ``DIR/000000.png`` (or ``.wav``) ... and ``DIR/labels.csv`` (``file,answer``).
Corpora live in a temporary directory (under ``$TMPDIR``, else ``/tmp``) that is removed
when the attacker has read it.

``python kit.py table RESULT.json ...`` prints the results of several attackers as one
table (``scripts/attack/run`` uses it).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np
from PIL import Image

ALPHABET = "34679ACDEFHJKMNPQRTUVWXY"
"""The picture alphabet: no letters or digits that people confuse. It keeps F, which the
crate dropped on 2026-12-02, so that corpora of earlier generators still load; an
attacker with one class too many loses nothing."""

LENGTH = 6
"""Characters (or digits) in a default challenge."""

REPO = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS_BIN = REPO / "target/release/examples/attack_corpus"


def parser(description: str, *, train: int | None) -> argparse.ArgumentParser:
    """An argument parser with the options every attacker shares.

    ``train`` is the default training size; ``None`` for an attacker that does not train.
    """
    p = argparse.ArgumentParser(description=description)
    p.add_argument(
        "--corpus-bin",
        type=Path,
        default=DEFAULT_CORPUS_BIN,
        help="corpus writer binary (default: %(default)s)",
    )
    if train is not None:
        p.add_argument(
            "--train",
            type=int,
            default=train,
            metavar="N",
            help="challenges generated for training (default: %(default)s)",
        )
    p.add_argument(
        "--test",
        type=int,
        default=200,
        metavar="N",
        help="fresh challenges to solve (default: %(default)s)",
    )
    p.add_argument(
        "--seed",
        type=int,
        help="make the corpora (and the training) reproducible; without it every "
        "challenge comes from the OS CSPRNG, as in production",
    )
    p.add_argument("--json", type=Path, metavar="FILE", help="also write the result here")
    return p


def sub_seed(seed: int | None, part: int) -> int | None:
    """The seed of one corpus of a run (training 0, validation 1, test 2, ...)."""
    return None if seed is None else seed * 16 + part


@dataclass
class Corpus:
    """A labelled corpus on disk: ``directory/files[i]`` has answer ``answers[i]``."""

    directory: Path
    files: list[str]
    answers: list[str]

    def paths(self) -> list[Path]:
        return [self.directory / f for f in self.files]


@contextlib.contextmanager
def corpus(binary: Path, kind: str, count: int, seed: int | None = None) -> Iterator[Corpus]:
    """Writes ``count`` challenges of ``kind`` ("image" or "audio") to a temporary
    directory, yields them, and removes the directory afterwards."""
    binary = Path(binary)
    if not binary.is_file():
        sys.exit(
            f"corpus writer {binary} not found: build it with scripts/attack/setup "
            "or pass --corpus-bin"
        )
    with tempfile.TemporaryDirectory(prefix=f"sspr-attack-{kind}-") as tmp:
        command = [str(binary), "--kind", kind, "--count", str(count), "--out", tmp]
        if seed is not None:
            command += ["--seed", str(seed)]
        subprocess.run(command, check=True)
        with open(Path(tmp) / "labels.csv", newline="") as f:
            rows = list(csv.DictReader(f))
        yield Corpus(Path(tmp), [r["file"] for r in rows], [r["answer"] for r in rows])


def load_images(binary: Path, count: int, seed: int | None = None) -> tuple[np.ndarray, list[str]]:
    """Generates ``count`` picture challenges and returns them as a ``uint8`` array of
    shape ``(count, height, width)`` (grey levels, 0 = black) with their answers."""
    with corpus(binary, "image", count, seed) as c:
        images = np.stack([np.asarray(Image.open(p).convert("L")) for p in c.paths()])
        return images, c.answers


def otsu(image: np.ndarray) -> int:
    """Otsu's threshold of a ``uint8`` picture: the grey level ``t`` that best splits it
    into ink (``<= t``) and background (``> t``), maximising the between-class variance."""
    hist = np.bincount(image.ravel(), minlength=256).astype(np.float64)
    weight = np.cumsum(hist)  # pixels at or below each level
    mass = np.cumsum(hist * np.arange(256))
    total, total_mass = weight[-1], mass[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_ink = mass / weight
        mean_back = (total_mass - mass) / (total - weight)
        between = weight * (total - weight) * (mean_ink - mean_back) ** 2
    return int(np.nanargmax(between[:-1]))


def score(predictions: Sequence[str], answers: Sequence[str]) -> tuple[float, float]:
    """Solve rate (whole answer right, case-insensitive) and per-character accuracy
    (position by position; a missing character counts as wrong)."""
    if not answers:
        raise ValueError("nothing to score")
    solved = chars = total = 0
    for guess, answer in zip(predictions, answers, strict=True):
        guess, answer = guess.upper(), answer.upper()
        solved += guess == answer
        chars += sum(g == a for g, a in zip(guess, answer))
        total += len(answer)
    return solved / len(answers), chars / total


def report(
    args: argparse.Namespace,
    attacker: str,
    *,
    kind: str,
    train_size: int,
    train_cpu_seconds: float,
    predictions: Sequence[str],
    answers: Sequence[str],
    extra: dict | None = None,
) -> dict:
    """Scores the predictions, prints the result and writes it to ``args.json`` if set.

    ``extra`` holds attacker-specific details, stored as they are; those that are not
    dictionaries are printed too (an attacker prints its nested details itself)."""
    solve_rate, char_accuracy = score(predictions, answers)
    result = {
        "attacker": attacker,
        "kind": kind,
        "corpus_bin": str(args.corpus_bin),
        "train_size": train_size,
        "train_cpu_seconds": round(train_cpu_seconds, 1),
        "test_size": len(answers),
        "solve_rate": solve_rate,
        "char_accuracy": char_accuracy,
        **(extra or {}),
    }
    print(f"== {attacker} ({kind}) against {args.corpus_bin}")
    print(f"   training: {train_size} challenges, {train_cpu_seconds:.1f} CPU-s")
    print(
        f"   test: {len(answers)} challenges, solved {100 * solve_rate:.1f} % "
        f"({round(solve_rate * len(answers))}/{len(answers)}), "
        f"characters {100 * char_accuracy:.1f} %"
    )
    for key, value in (extra or {}).items():
        if not isinstance(value, dict):
            print(f"   {key}: {value}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return result


def table(results: Sequence[dict]) -> str:
    """The results as a Markdown table, one row per attacker."""
    lines = [
        "| attacker | kind | corpus binary | training | training CPU-s | test | solved "
        "| characters |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['attacker']} | {r['kind']} | {r['corpus_bin']} | {r['train_size']} "
            f"| {r['train_cpu_seconds']:.0f} | {r['test_size']} "
            f"| {100 * r['solve_rate']:.1f} % | {100 * r['char_accuracy']:.1f} % |"
        )
    return "\n".join(lines)


def main() -> None:
    p = argparse.ArgumentParser(description="Prints attacker results as one table.")
    sub = p.add_subparsers(dest="command", required=True)
    t = sub.add_parser("table", help="Markdown table of result JSON files")
    t.add_argument("files", nargs="+", type=Path)
    args = p.parse_args()
    print(table([json.loads(f.read_text()) for f in args.files]))


if __name__ == "__main__":
    main()
