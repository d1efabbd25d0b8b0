"""Free-solver baseline: Tesseract OCR, no training.

Reads every test picture in four modes: Tesseract's line mode (``--psm 7``) and word
mode (``--psm 8``), each on the raw picture and after the standard clean-up (3x3 median
filter, Otsu threshold, connected components smaller than MIN_AREA pixels removed,
2x upscale). Tesseract may only answer with the challenge alphabet; whatever it reads
is upper-cased and stripped of other characters. A read on which Tesseract crashes
(5.3 does, now and then) answers nothing and is counted in ``tesseract_failures``.

The headline figure is the best mode (an attacker picks the mode that works on our
generator); the figures of every mode and of "any mode right" (an upper bound no real
attacker reaches in one try) are printed and stored as ``modes``.

    scripts/attack/.venv/bin/python scripts/attack/tesseract.py [--test 200] \\
        [--corpus-bin PATH] [--seed S] [--json FILE]
"""

from __future__ import annotations

import io
import os
import subprocess

import numpy as np
from PIL import Image
from scipy import ndimage

import kit

MIN_AREA = 30
"""Connected components of fewer pixels are noise to the clean-up."""

MODES = [(psm, cleaned) for cleaned in (False, True) for psm in (7, 8)]


def clean(image: np.ndarray) -> np.ndarray:
    """The standard clean-up: median filter, Otsu threshold, small components removed,
    upscaled 2x. Returns black ink on white."""
    smooth = ndimage.median_filter(image, size=3)
    ink = smooth <= kit.otsu(smooth)
    labels, _ = ndimage.label(ink, structure=np.ones((3, 3)))
    areas = np.bincount(labels.ravel())
    keep = areas >= MIN_AREA
    keep[0] = False  # the background label
    ink = keep[labels]
    picture = np.where(ink, 0, 255).astype(np.uint8)
    return np.kron(picture, np.ones((2, 2), dtype=np.uint8))


def read(image: np.ndarray, psm: int) -> str | None:
    """What Tesseract reads in the picture in page segmentation mode ``psm``, or None
    when it fails."""
    png = io.BytesIO()
    Image.fromarray(image).save(png, format="PNG")
    out = subprocess.run(
        [
            "tesseract", "stdin", "stdout", "-l", "eng", "--psm", str(psm),
            "-c", f"tessedit_char_whitelist={kit.ALPHABET}",
        ],
        input=png.getvalue(),
        capture_output=True,
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
    )
    if out.returncode != 0:  # Tesseract 5.3 dies of SIGFPE on the odd picture
        return None
    return "".join(c for c in out.stdout.decode().upper() if c in kit.ALPHABET)


def cpu_with_children() -> float:
    """CPU seconds of this process and of its finished children (the Tesseract runs)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def mode_name(psm: int, cleaned: bool) -> str:
    return f"psm {psm} {'cleaned' if cleaned else 'raw'}"


def main() -> None:
    args = kit.parser(__doc__.splitlines()[0], train=None).parse_args()
    images, answers = kit.load_images(args.corpus_bin, args.test, kit.sub_seed(args.seed, 2))
    start = cpu_with_children()
    guesses = {mode: [] for mode in MODES}
    failures = 0
    for n, image in enumerate(images):
        cleaned = clean(image)
        for psm, is_cleaned in MODES:
            guess = read(cleaned if is_cleaned else image, psm)
            failures += guess is None
            guesses[psm, is_cleaned].append(guess or "")
        if (n + 1) % 50 == 0:
            print(f"read {n + 1}/{len(images)}", flush=True)
    modes = {}
    for mode, predictions in guesses.items():
        solve_rate, char_accuracy = kit.score(predictions, answers)
        modes[mode_name(*mode)] = {"solve_rate": solve_rate, "char_accuracy": char_accuracy}
    any_right = [any(g[n] == a for g in guesses.values()) for n, a in enumerate(answers)]
    modes["any mode right (upper bound)"] = {"solve_rate": float(np.mean(any_right))}
    best = max(MODES, key=lambda m: kit.score(guesses[m], answers))
    for name, m in modes.items():
        chars = f", characters {100 * m['char_accuracy']:5.1f} %" if "char_accuracy" in m else ""
        print(f"{name:>30}: solved {100 * m['solve_rate']:5.1f} %{chars}")
    kit.report(
        args,
        "tesseract",
        kind="image",
        train_size=0,
        train_cpu_seconds=0.0,
        predictions=guesses[best],
        answers=answers,
        extra={
            "best_mode": mode_name(*best),
            "tesseract_failures": failures,
            "modes": modes,
            "test_cpu_seconds": round(cpu_with_children() - start, 1),
        },
    )


if __name__ == "__main__":
    main()
