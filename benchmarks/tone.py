"""Tone check accuracy and speed: grouped cross-validation, the held-out set, time per call.

Prints, for the patterns alone, the model alone and the two combined (what check_tone
does): harmful recall (flagged at all), category right (the true category among those
flagged), fine sentences flagged, then precision, recall and a confusion table per category.
Cross-validation is grouped by paraphrase family, so variants of one idea never sit on both
sides of a split. Needs scikit-learn (for the folds).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

import followup_kit as fk
from followup_kit.tone import TonePatterns
from followup_kit.tone_model import (
    _BUILTIN_CORPUS,
    grouped_oof,
    load_tone_model,
    read_tone_sentences,
)

ROOT = Path(__file__).resolve().parents[1]
LABELS = ["desperate", "pushy", "hostile", "self_deprecating", "fine"]
#: Held-out sets, oldest first. Each was written after the model it first measured was
#: frozen, and none is used to tune anything; later corpus rounds were written after the
#: first set's misses had been read, so only the newest is a clean measure.
HELD_OUT = [
    ("tone_heldout_model.tsv", "first held-out set (its misses were read before corpus round 2)"),
    ("tone_heldout_v2.tsv", "second held-out set, written after the model was frozen"),
]


def predict(texts, mode: str, model) -> list[list[str]]:
    """Categories flagged for each text, in order of position."""
    if mode == "patterns":
        return [[f.category for f in fk.check_tone(t, model=False)] for t in texts]
    if mode == "model":
        empty = TonePatterns((), ())
        return [[f.category for f in fk.check_tone(t, patterns=empty, model=model)] for t in texts]
    return [[f.category for f in fk.check_tone(t, model=model)] for t in texts]


def summary(labels: list[str], got: list[list[str]]) -> dict[str, float]:
    harm = [(lab, g) for lab, g in zip(labels, got, strict=True) if lab != "fine"]
    fine = [g for lab, g in zip(labels, got, strict=True) if lab == "fine"]
    return {
        "harmful recall": np.mean([bool(g) for _, g in harm]),
        "category right": np.mean([lab in g for lab, g in harm]),
        "fine flagged": np.mean([bool(g) for g in fine]),
    }


def primary(label: str, got: list[str]) -> str:
    if not got:
        return "fine"
    return label if label in got else got[0]


def per_category(labels: list[str], got: list[list[str]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    pred = [primary(lab, g) for lab, g in zip(labels, got, strict=True)]
    confusion = pd.crosstab(
        pd.Categorical(labels, LABELS),
        pd.Categorical(pred, LABELS),
        rownames=["true"],
        colnames=["flagged as"],
        dropna=False,
    )
    rows = {}
    for c in LABELS[:-1]:
        tp = confusion.loc[c, c]
        rows[c] = {
            "precision": tp / confusion[c].sum() if confusion[c].sum() else float("nan"),
            "recall": tp / confusion.loc[c].sum(),
        }
    return pd.DataFrame(rows).T, confusion


def report(name: str, labels: list[str], by_mode: dict[str, list[list[str]]]) -> None:
    print(f"\n=== {name} ({len(labels)} sentences, {labels.count('fine')} fine)")
    print(pd.DataFrame({m: summary(labels, g) for m, g in by_mode.items()}).round(3).to_string())
    scores, confusion = per_category(labels, by_mode["combined"])
    print("\ncombined, per category:\n" + scores.round(3).to_string())
    print("\nconfusion (rows true, columns flagged as):\n" + confusion.to_string())


def main() -> None:
    shipped = load_tone_model()
    corpus = read_tone_sentences(_BUILTIN_CORPUS)
    texts, labels = corpus["sentence"].tolist(), corpus["label"].tolist()
    by_mode: dict[str, list] = {m: [None] * len(texts) for m in ("patterns", "model", "combined")}
    start = time.perf_counter()
    for test, model in grouped_oof(corpus):
        # The fold's model, with the shipped decision threshold.
        model.threshold = shipped.threshold
        fold = [texts[i] for i in test]
        for mode in by_mode:
            for i, g in zip(test, predict(fold, mode, model), strict=True):
                by_mode[mode][i] = g
    print(f"grouped 5-fold cross-validation took {time.perf_counter() - start:.0f} s")
    report("corpus, grouped by family (5 folds)", labels, by_mode)

    for name, title in HELD_OUT:
        held = read_tone_sentences(ROOT / "tests" / name)
        texts, labels = held["sentence"].tolist(), held["label"].tolist()
        report(
            f"{name}: {title}",
            labels,
            {m: predict(texts, m, shipped) for m in ("patterns", "model", "combined")},
        )

    message = fk.render_script("decision_check_call", "email", {})
    fk.check_tone(message)  # load the patterns and the model once
    times = []
    for _ in range(50):
        t0 = time.perf_counter()
        fk.check_tone(message)
        times.append(time.perf_counter() - t0)
    sentence = "Honestly, this position is the only thing keeping me going."
    per = []
    for _ in range(200):
        t0 = time.perf_counter()
        fk.check_tone(sentence)
        per.append(time.perf_counter() - t0)
    # The median is what a busy machine gives; the minimum is the cost of the work itself.
    print(
        f"\ncheck_tone, {len(message.split())}-word script: median "
        f"{np.median(times) * 1000:.2f} ms (fastest {min(times) * 1000:.2f}); one sentence: "
        f"median {np.median(per) * 1000:.2f} ms (fastest {min(per) * 1000:.2f}); "
        "goal: at most 5 ms per message"
    )
    size = Path(shipped.source).stat().st_size
    print(f"model file: {size / 1024:.0f} KiB, threshold {shipped.threshold:.3f}")


if __name__ == "__main__":
    main()
