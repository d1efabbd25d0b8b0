#!/usr/bin/env python3
"""White-box attacker of the audio challenges: energy segmentation, MFCC, SVM.

The attacker runs our own generator to make labelled clips (the corpus writer,
`attack_corpus --kind audio`), cuts every clip into as many pieces as it has digits, at
the longest quiet gaps (or, where there are too few gaps, at the deepest energy valleys),
describes each piece by its MFCCs resampled to a fixed number of frames, and trains an SVM
on the pieces of the training clips. It then solves fresh clips and prints the solve rate
(every digit right) and the per-digit accuracy.

The quiet threshold is not guessed: for each candidate (dB under the clip's loud frames)
the training pieces are cross-validated, and the best threshold is kept. Training CPU time
covers segmentation, features, the threshold search and the fit (not making the corpus).

    scripts/attack/.venv/bin/python scripts/attack/audio.py \
        [--corpus-bin PATH] [--train 100] [--test 200] [--seed S] [--json FILE]

Corpora, options and the report come from kit.py, shared with the picture attackers.
"""

import sys
import time
from pathlib import Path

import numpy as np
from scipy.fft import dct, rfft
from scipy.io import wavfile
from scipy.signal import find_peaks
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

sys.path.insert(0, str(Path(__file__).resolve().parent))
import kit  # noqa: E402

FRAME_S = 0.025  # analysis frame
HOP_S = 0.010  # frame hop
N_MELS = 26
N_MFCC = 13
STEPS = 12  # MFCC frames per piece after resampling
MIN_GAP_S = 0.03  # a quiet run shorter than this is not a gap
MIN_PIECE_S = 0.2  # valleys closer than this are not both cuts
THRESHOLDS_DB = (40, 30, 24, 18, 14, 10, 7, 5, 3)  # quiet: this far under the loud frames


def read_clip(path):
    """The samples of a WAV as floats in -1..1 and its rate."""
    rate, data = wavfile.read(path)
    if data.dtype == np.uint8:
        x = (data.astype(np.float64) - 128.0) / 128.0
    else:
        x = data.astype(np.float64) / float(np.iinfo(data.dtype).max)
    if x.ndim > 1:
        x = x.mean(axis=1)
    return x, rate


def frames(x, rate):
    """The signal cut into overlapping frames (rows)."""
    size, hop = int(FRAME_S * rate), int(HOP_S * rate)
    if len(x) < size:
        x = np.pad(x, (0, size - len(x)))
    n = 1 + (len(x) - size) // hop
    idx = np.arange(size)[None, :] + hop * np.arange(n)[:, None]
    return x[idx]


def energy_db(x, rate):
    """Frame energies in dB, smoothed over 50 ms."""
    e = (frames(x, rate) ** 2).mean(axis=1)
    e = np.convolve(e, np.ones(5) / 5, mode="same")
    return 10 * np.log10(e + 1e-10)


def segment(x, rate, pieces, threshold_db):
    """Cuts a clip into `pieces` (start, end) sample ranges: at the longest quiet gaps
    between the first and last loud frame, topped up with the deepest valleys."""
    hop = int(HOP_S * rate)
    e = energy_db(x, rate)
    loud_level = np.percentile(e, 95)
    loud = e > loud_level - threshold_db
    if not loud.any():
        loud[:] = True
    first, last = np.argmax(loud), len(loud) - 1 - np.argmax(loud[::-1])
    # Quiet runs inside the speech.
    gaps = []
    run_start = None
    for i in range(first, last + 1):
        if not loud[i] and run_start is None:
            run_start = i
        elif loud[i] and run_start is not None:
            if (i - run_start) * HOP_S >= MIN_GAP_S:
                gaps.append((i - run_start, (run_start + i) // 2))
            run_start = None
    gaps.sort(reverse=True)
    cuts = [centre for _, centre in gaps[: pieces - 1]]
    if len(cuts) < pieces - 1:
        # The deepest valleys of the energy, away from the cuts already made.
        distance = max(1, int(MIN_PIECE_S / HOP_S))
        inside = -e[first : last + 1]
        peaks, props = find_peaks(inside, distance=distance, prominence=0)
        order = np.argsort(-props["prominences"]) if len(peaks) else []
        for k in order:
            c = first + peaks[k]
            if all(abs(c - d) >= distance for d in cuts):
                cuts.append(c)
            if len(cuts) == pieces - 1:
                break
    while len(cuts) < pieces - 1:  # too short a clip: cut evenly
        bounds = [first] + sorted(cuts) + [last]
        widest = max(range(len(bounds) - 1), key=lambda j: bounds[j + 1] - bounds[j])
        cuts.append((bounds[widest] + bounds[widest + 1]) // 2)
    bounds = [first] + sorted(cuts) + [last + 1]
    size = int(FRAME_S * rate)
    return [(b * hop, min(len(x), c * hop + size)) for b, c in zip(bounds, bounds[1:])]


def mel_filters(rate, n_fft):
    """Triangular mel filters from 100 Hz to the Nyquist frequency."""
    def mel(f):
        return 2595 * np.log10(1 + f / 700)

    def hz(m):
        return 700 * (10 ** (m / 2595) - 1)

    points = hz(np.linspace(mel(100), mel(rate / 2), N_MELS + 2))
    bins = np.floor((n_fft + 1) * points / rate).astype(int)
    fb = np.zeros((N_MELS, n_fft // 2 + 1))
    for m in range(1, N_MELS + 1):
        a, b, c = bins[m - 1], bins[m], bins[m + 1]
        for k in range(a, b):
            fb[m - 1, k] = (k - a) / max(1, b - a)
        for k in range(b, c):
            fb[m - 1, k] = (c - k) / max(1, c - b)
    return fb


_FILTERS = {}


def mfcc(x, rate):
    """MFCCs (frames × N_MFCC): pre-emphasis, Hamming window, power spectrum, log mel
    energies, DCT-II."""
    x = np.append(x[:1], x[1:] - 0.97 * x[:-1])
    f = frames(x, rate) * np.hamming(int(FRAME_S * rate))
    n_fft = 512
    if rate not in _FILTERS:
        _FILTERS[rate] = mel_filters(rate, n_fft)
    power = np.abs(rfft(f, n_fft)) ** 2 / n_fft
    mel = np.log(power @ _FILTERS[rate].T + 1e-10)
    return dct(mel, type=2, axis=1, norm="ortho")[:, :N_MFCC]


def features(x, rate):
    """A fixed-length description of one piece: its MFCCs resampled to STEPS frames, their
    mean and spread, and its length."""
    m = mfcc(x, rate)
    t = np.linspace(0, len(m) - 1, STEPS)
    resampled = np.stack([np.interp(t, np.arange(len(m)), m[:, j]) for j in range(N_MFCC)])
    return np.concatenate([resampled.ravel(), m.mean(0), m.std(0), [len(x) / rate]])


def pieces_of(clips, threshold_db):
    """Features and labels of every piece of every clip."""
    xs, ys = [], []
    for (x, rate), answer in clips:
        for (a, b), digit in zip(segment(x, rate, len(answer), threshold_db), answer):
            xs.append(features(x[a:b], rate))
            ys.append(digit)
    return np.array(xs), np.array(ys)


def model():
    return make_pipeline(StandardScaler(), SVC(C=10, gamma="scale"))


def train(clips):
    """The best threshold by 3-fold cross-validation on the training pieces, and the SVM
    trained on all of them with it."""
    best = None
    for threshold in THRESHOLDS_DB:
        xs, ys = pieces_of(clips, threshold)
        score = cross_val_score(model(), xs, ys, cv=3).mean()
        print(f"  threshold {threshold:2d} dB: cross-validated piece accuracy {score:.3f}")
        if best is None or score > best[0]:
            best = (score, threshold, xs, ys)
    _, threshold, xs, ys = best
    return threshold, model().fit(xs, ys)


def main():
    args = kit.parser(__doc__.split("\n\n")[0], train=100).parse_args()
    with kit.corpus(args.corpus_bin, "audio", args.train, kit.sub_seed(args.seed, 0)) as c:
        start = time.process_time()
        train_clips = [(read_clip(p), a) for p, a in zip(c.paths(), c.answers)]
        threshold, svm = train(train_clips)
        train_cpu = time.process_time() - start
    print(f"trained on {args.train} clips, quiet threshold {threshold} dB")

    predictions, per_digit = [], {}
    with kit.corpus(args.corpus_bin, "audio", args.test, kit.sub_seed(args.seed, 2)) as c:
        for path, answer in zip(c.paths(), c.answers):
            x, rate = read_clip(path)
            pieces = segment(x, rate, len(answer), threshold)
            guess = "".join(svm.predict(np.array([features(x[a:b], rate) for a, b in pieces])))
            predictions.append(guess)
            for g, d in zip(guess, answer):
                hits, n = per_digit.get(d, (0, 0))
                per_digit[d] = (hits + (g == d), n + 1)
        answers = c.answers
    print("per digit: " + "  ".join(f"{d} {100 * h / n:.0f}%" for d, (h, n) in sorted(per_digit.items())))
    kit.report(
        args,
        "audio-mfcc-svm",
        kind="audio",
        train_size=args.train,
        train_cpu_seconds=train_cpu,
        predictions=predictions,
        answers=answers,
        extra={
            "quiet_threshold_db": threshold,
            "per_digit_accuracy": {d: h / n for d, (h, n) in sorted(per_digit.items())},
        },
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
