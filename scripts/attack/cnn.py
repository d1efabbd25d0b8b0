"""End-to-end CNN attacker: no segmentation, one softmax head per character position.

The pictures are shrunk to a third (3x3 means, 220x120 -> 73x40) and read by a small
convolutional network in JAX: four blocks of 3x3 convolution, batch normalisation,
ReLU and 2x2 max pooling (24, 48, 64 and 96 channels), a dense layer of 256 and
``kit.LENGTH`` softmax heads over the alphabet. Adam (optax) on the summed
cross-entropy of the heads, in minibatches of BATCH, with the learning rate following
a cosine from LEARNING_RATE to zero over the CPU budget. The budget is this process's
CPU time (``time.process_time()``, every thread counted, compilation and progress
checks included) from the first training step; the training pictures are generated
and loaded before it starts. Every ``--report-every`` CPU seconds it prints the CPU
seconds used, the mean training loss since the last report and the accuracy on
HELD_OUT generated pictures apart from the training ones; at the end it
reads the fresh test challenges.

    scripts/attack/.venv/bin/python scripts/attack/cnn.py [--train 20000] \\
        [--cpu-seconds 1800] [--test 200] [--corpus-bin PATH] [--seed S] [--json FILE]

With ``--seed`` the corpora, the initial weights and the minibatch order are
reproducible; how many steps fit in the budget depends on the machine and its load.
"""

from __future__ import annotations

import math
import time
from typing import Iterator

import jax
import jax.numpy as jnp
import numpy as np
import optax

import kit

SCALE = 3
"""The pictures are shrunk this many times in each direction before the network."""
CHANNELS = (24, 48, 64, 96)
DENSE = 256
BATCH = 64
LEARNING_RATE = 1e-3
MOMENTUM = 0.1
"""Weight of each batch in the running normalisation statistics."""
HELD_OUT = 500
"""Generated pictures, apart from the training ones, for the progress reports."""


def shrink(images: np.ndarray) -> np.ndarray:
    """Shrinks the pictures SCALE times (means of SCALE x SCALE blocks) and maps them to
    float32 ink in [0, 1] with a channel axis: ``(n, h, w)`` uint8 ->
    ``(n, h // SCALE, w // SCALE, 1)``."""
    n, h, w = images.shape
    h, w = h // SCALE, w // SCALE
    blocks = images[:, : h * SCALE, : w * SCALE].reshape(n, h, SCALE, w, SCALE)
    return (1 - blocks.mean(axis=(2, 4), dtype=np.float32) / 255)[..., None]


def init(key: jax.Array, shape: tuple[int, int]) -> tuple[dict, list]:
    """He-initialised weights for pictures of ``shape`` (height, width), and the initial
    running statistics of the batch normalisations."""
    params = {"conv": [], "dense": None, "heads": None}
    stats = []
    channels_in, (h, w) = 1, shape
    keys = jax.random.split(key, len(CHANNELS) + 2)
    for k, channels in zip(keys, CHANNELS):
        fan_in = 9 * channels_in
        kernel = jax.random.normal(k, (3, 3, channels_in, channels)) * math.sqrt(2 / fan_in)
        params["conv"].append((kernel, jnp.ones(channels), jnp.zeros(channels)))
        stats.append((jnp.zeros(channels), jnp.ones(channels)))
        channels_in, h, w = channels, h // 2, w // 2
    flat = h * w * channels_in
    params["dense"] = (
        jax.random.normal(keys[-2], (flat, DENSE)) * math.sqrt(2 / flat),
        jnp.zeros(DENSE),
    )
    outputs = kit.LENGTH * len(kit.ALPHABET)
    params["heads"] = (
        jax.random.normal(keys[-1], (DENSE, outputs)) * 0.01,
        jnp.zeros(outputs),
    )
    return params, stats


def forward(params: dict, stats: list, x: jax.Array, training: bool) -> tuple[jax.Array, list]:
    """Logits ``(batch, LENGTH, len(ALPHABET))`` of a batch ``(batch, h, w, 1)``.

    Each convolution is batch-normalised: with the batch's own channel statistics when
    ``training`` (they are returned, for the running averages), else with ``stats``."""
    batch_stats = []
    for (kernel, scale, offset), (mean, var) in zip(params["conv"], stats):
        x = jax.lax.conv_general_dilated(
            x, kernel, (1, 1), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC")
        )
        if training:
            mean, var = x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2))
        batch_stats.append((mean, var))
        x = jax.nn.relu((x - mean) * jax.lax.rsqrt(var + 1e-5) * scale + offset)
        x = jax.lax.reduce_window(x, -jnp.inf, jax.lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")
    x = x.reshape(x.shape[0], -1)
    x = jax.nn.relu(x @ params["dense"][0] + params["dense"][1])
    x = x @ params["heads"][0] + params["heads"][1]
    return x.reshape(x.shape[0], kit.LENGTH, len(kit.ALPHABET)), batch_stats


def loss_fn(params: dict, stats: list, x: jax.Array, y: jax.Array) -> tuple[jax.Array, list]:
    """Cross-entropy summed over the heads, averaged over the batch; and the batch's
    normalisation statistics."""
    logits, batch_stats = forward(params, stats, x, training=True)
    loss = optax.softmax_cross_entropy_with_integer_labels(logits, y).sum(axis=1).mean()
    return loss, batch_stats


optimizer = optax.inject_hyperparams(optax.adam)(learning_rate=LEARNING_RATE)


@jax.jit
def train_step(params, stats, opt_state, x, y, learning_rate):
    """One Adam step on a minibatch at ``learning_rate``, with the running statistics
    moved towards the batch's; returns the batch loss too."""
    (loss, batch_stats), grads = jax.value_and_grad(loss_fn, has_aux=True)(params, stats, x, y)
    stats = jax.tree.map(lambda r, b: (1 - MOMENTUM) * r + MOMENTUM * b, stats, batch_stats)
    opt_state.hyperparams["learning_rate"] = learning_rate
    updates, opt_state = optimizer.update(grads, opt_state, params)
    return optax.apply_updates(params, updates), stats, opt_state, loss


@jax.jit
def predict_batch(params, stats, x):
    return jnp.argmax(forward(params, stats, x, training=False)[0], axis=-1)


def predict(params: dict, stats: list, x: np.ndarray) -> list[str]:
    """The answers the network reads in the pictures ``x``."""
    indices = np.concatenate(
        [np.asarray(predict_batch(params, stats, x[i : i + 250])) for i in range(0, len(x), 250)]
    )
    return ["".join(kit.ALPHABET[i] for i in row) for row in indices]


def batches(rng: np.random.Generator, n: int) -> Iterator[np.ndarray]:
    """Minibatches of indices into ``n`` pictures, forever, reshuffled every epoch."""
    while True:
        yield from np.array_split(rng.permutation(n), max(n // BATCH, 1))


def encode(answers: list[str]) -> np.ndarray:
    return np.array([[kit.ALPHABET.index(c) for c in a.upper()] for a in answers], np.int32)


def main() -> None:
    p = kit.parser(__doc__.splitlines()[0], train=20000)
    p.add_argument(
        "--cpu-seconds",
        type=float,
        default=1800,
        help="training budget in process CPU seconds (default: %(default)s)",
    )
    p.add_argument(
        "--report-every",
        type=float,
        default=120,
        metavar="S",
        help="CPU seconds between progress reports (default: %(default)s)",
    )
    args = p.parse_args()

    images, answers = kit.load_images(args.corpus_bin, args.train, kit.sub_seed(args.seed, 0))
    x_train, y_train = shrink(images), encode(answers)
    del images
    held_images, held_answers = kit.load_images(
        args.corpus_bin, HELD_OUT, kit.sub_seed(args.seed, 1)
    )
    x_held = shrink(held_images)
    print(f"{len(x_train)} training pictures of {x_train.shape[1:3]}, "
          f"budget {args.cpu_seconds:.0f} CPU-s", flush=True)

    seed = 0 if args.seed is None else args.seed
    rng = np.random.default_rng(seed)
    params, stats = init(jax.random.PRNGKey(seed), x_train.shape[1:3])
    opt_state = optimizer.init(params)

    start = time.process_time()
    used, steps, seen, next_report, losses = 0.0, 0, 0, args.report_every, []
    for batch in batches(rng, len(x_train)):
        fraction = used / args.cpu_seconds
        learning_rate = LEARNING_RATE * 0.5 * (1 + math.cos(math.pi * fraction))
        params, stats, opt_state, loss = train_step(
            params, stats, opt_state, x_train[batch], y_train[batch], learning_rate
        )
        losses.append(float(loss))  # waits for the step, so the CPU clock is right
        steps, seen = steps + 1, seen + len(batch)
        used = time.process_time() - start
        done = used >= args.cpu_seconds
        if done or used >= next_report:
            solved, chars = kit.score(predict(params, stats, x_held), held_answers)
            print(f"{used:7.0f} CPU-s  epoch {seen / len(x_train):5.2f}  "
                  f"loss {np.mean(losses):.3f}  held-out solved {100 * solved:5.1f} %  "
                  f"characters {100 * chars:5.1f} %", flush=True)
            next_report += args.report_every
            losses = []
            used = time.process_time() - start
        if done:
            break

    test_images, test_answers = kit.load_images(
        args.corpus_bin, args.test, kit.sub_seed(args.seed, 2)
    )
    kit.report(
        args,
        "cnn",
        kind="image",
        train_size=args.train,
        train_cpu_seconds=used,
        predictions=predict(params, stats, shrink(test_images)),
        answers=test_answers,
        extra={"steps": steps, "epochs": round(seen / len(x_train), 2)},
    )


if __name__ == "__main__":
    main()
