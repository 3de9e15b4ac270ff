"""The learned half of the tone check: train on labelled sentences, and score without scikit-learn.

Training (``python -m followup_kit.tone_model train``) fits word and character n-gram
TF-IDF features with a multinomial logistic regression in scikit-learn, then exports what
scoring needs (vocabularies, idf weights, coefficients, analyzer settings) to a small
``.npz`` file. :class:`ToneModel` reproduces the pipeline's probabilities with numpy alone,
so ``import followup_kit`` never loads scikit-learn.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .exceptions import ToneModelError

__all__ = [
    "TONE_MODEL_FILE",
    "TONE_SENTENCES_FILE",
    "ToneModel",
    "corpus_sha256",
    "load_tone_model",
    "read_tone_sentences",
    "train_tone_model",
]

#: The file a coach adds labelled sentences to, in the workbook's data folder.
TONE_SENTENCES_FILE = "tone_sentences.tsv"
#: The file a coach's retrained model is written to, in the same folder.
TONE_MODEL_FILE = "tone_model.npz"

_HERE = Path(__file__).parent
_BUILTIN_CORPUS = _HERE / "tone_corpus.tsv"
_BUILTIN_MODEL = _HERE / "tone_model.npz"
_LABELS = ("desperate", "pushy", "hostile", "self_deprecating", "fine")
_COLUMNS = ["family", "label", "sentence"]
_FORMAT = 1

#: Analyzer and model settings. Chosen once, by grouped cross-validation on the corpus,
#: before the held-out set was written; changing them means retraining.
SETTINGS: dict[str, Any] = {
    "lowercase": True,
    "token_pattern": r"(?u)\b\w\w+\b",
    "word_ngram_range": [1, 2],
    "char_ngram_range": [3, 5],
    "min_df": 2,
    "sublinear_tf": True,
    "C": 3.0,
    "class_weight": "balanced",
    # Share of fine sentences the model alone may flag in grouped cross-validation; the
    # decision threshold is set from it at training time.
    "target_fine_flagged": 0.06,
}

_WHITE_SPACES = re.compile(r"\s\s+")


# --------------------------------------------------------------------------- data
def read_tone_sentences(path: Any) -> pd.DataFrame:
    """Labelled sentences from a tab-separated file with ``family``, ``label``, ``sentence``.

    Parameters
    ----------
    path
        The file. Lines starting with ``#`` are comments; the first other line is the
        header.

    Returns
    -------
    pandas.DataFrame
        Columns ``family``, ``label``, ``sentence``, one row per sentence.

    Raises
    ------
    ToneModelError
        The file is missing, has other columns, an unknown label or an empty sentence;
        the message names the file and the line.
    """
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ToneModelError(path, f"could not be read ({exc}).") from None
    rows: list[list[str]] = []
    header: list[str] | None = None
    for n, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = [c.strip() for c in line.split("\t")]
        if header is None:
            header = cells
            if header != _COLUMNS:
                raise ToneModelError(
                    path, f"line {n}: the header is {header}; want {_COLUMNS} (tab-separated)."
                )
            continue
        if len(cells) != 3:
            raise ToneModelError(path, f"line {n}: {len(cells)} columns; want 3, tab-separated.")
        family, label, sentence = cells
        if label not in _LABELS:
            raise ToneModelError(path, f"line {n}: label {label!r}; use one of {list(_LABELS)}.")
        if not sentence or not family:
            raise ToneModelError(path, f"line {n}: family and sentence must not be empty.")
        rows.append(cells)
    if header is None:
        raise ToneModelError(path, "the file is empty.")
    return pd.DataFrame(rows, columns=_COLUMNS)


def corpus_sha256(paths: Iterable[Any]) -> str:
    """The sha256 of the training files' bytes, in order: what a model was trained on."""
    digest = hashlib.sha256()
    for p in paths:
        digest.update(Path(p).read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


# --------------------------------------------------------------------------- scoring
def _softmax(scores: np.ndarray) -> np.ndarray:
    # The same arithmetic as scikit-learn's softmax, so the probabilities match to the bit
    # as far as the summation order allows.
    shifted = scores - scores.max(axis=1, keepdims=True)
    np.exp(shifted, out=shifted)
    return shifted / shifted.sum(axis=1, keepdims=True)


@dataclass
class ToneModel:
    """A trained tone model, scored with numpy alone.

    Reproduces ``TfidfVectorizer(analyzer="word") + TfidfVectorizer(analyzer="char_wb")``
    joined by a ``FeatureUnion`` and fed to ``LogisticRegression`` (multinomial).
    """

    classes: tuple[str, ...]
    word_vocab: dict[str, int]
    word_idf: np.ndarray
    char_vocab: dict[str, int]
    char_idf: np.ndarray
    coef: np.ndarray  # (classes, word features + char features)
    intercept: np.ndarray
    settings: dict[str, Any]
    threshold: float
    corpus_sha256: str
    sklearn_version: str
    source: str = ""
    _token: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._token = re.compile(self.settings["token_pattern"])
        self._fine = self.classes.index("fine")

    # ---- the analyzers, as scikit-learn's TfidfVectorizer builds them
    def _words(self, doc: str) -> list[str]:
        tokens = self._token.findall(doc)
        lo, hi = self.settings["word_ngram_range"]
        out = list(tokens) if lo == 1 else []
        for n in range(max(lo, 2), min(hi, len(tokens)) + 1):
            out.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
        return out

    def _chars(self, doc: str) -> list[list[str]]:
        """Character n-grams per whitespace-separated word (``char_wb``)."""
        lo, hi = self.settings["char_ngram_range"]
        per_word = []
        for w in _WHITE_SPACES.sub(" ", doc).split():
            w = f" {w} "
            grams = []
            for n in range(lo, hi + 1):
                offset = 0
                grams.append(w[offset : offset + n])
                while offset + n < len(w):
                    offset += 1
                    grams.append(w[offset : offset + n])
                if offset == 0:  # a word shorter than n counts once, as in scikit-learn
                    break
            per_word.append(grams)
        return per_word

    def _tfidf(self, grams: Iterable[str], vocab: dict[str, int], idf: np.ndarray):
        counts = Counter(g for g in grams if g in vocab)
        idx = np.fromiter((vocab[g] for g in counts), dtype=np.int64, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        if self.settings["sublinear_tf"]:
            tf = np.log(tf) + 1
        val = tf * idf[idx]
        norm = math.sqrt(float(np.dot(val, val)))
        if norm > 0:
            val = val / norm
        return idx, val, counts

    def _vector(self, text: str) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
        doc = text.lower() if self.settings["lowercase"] else text
        words = self._words(doc)
        chars = self._chars(doc)
        wi, wv, wc = self._tfidf(words, self.word_vocab, self.word_idf)
        ci, cv, cc = self._tfidf((g for gs in chars for g in gs), self.char_vocab, self.char_idf)
        idx = np.concatenate([wi, ci + len(self.word_vocab)])
        val = np.concatenate([wv, cv])
        return idx, val, {"word_counts": wc, "char_counts": cc, "wv": wv, "cv": cv}

    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        """Scores per class, as ``LogisticRegression.decision_function``."""
        out = np.empty((len(texts), len(self.classes)))
        for i, text in enumerate(texts):
            idx, val, _ = self._vector(text)
            out[i] = self.coef[:, idx] @ val + self.intercept
        return out

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities per class (columns in :attr:`classes` order)."""
        return _softmax(self.decision_function(texts))

    def harm(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """For each text: the probability it is not fine, and its likeliest harmful class."""
        proba = self.predict_proba(texts)
        harmful = np.delete(proba, self._fine, axis=1)
        names = np.array([c for c in self.classes if c != "fine"])
        return 1 - proba[:, self._fine], names[harmful.argmax(axis=1)]

    def word_weights(self, text: str, category: str) -> list[tuple[int, int, float]]:
        """How much each word of ``text`` pushed it towards ``category`` rather than fine.

        Returns ``(start, end, weight)`` for each whitespace-separated word. A word n-gram's
        contribution (its tf-idf value times the difference of the two classes'
        coefficients) is shared among the words it spans; a character n-gram's among the
        words it occurs in.
        """
        c = self.classes.index(category)
        delta = self.coef[c] - self.coef[self._fine]
        units = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
        weights = np.zeros(len(units))
        if not units:
            return []
        doc = text.lower() if self.settings["lowercase"] else text
        _, _, info = self._vector(text)
        # word features: find each token's unit by its position in the text
        tokens = [(m.group(0), m.start()) for m in self._token.finditer(doc)]
        starts = np.array([s for s, _ in units])
        unit_of = [int(np.searchsorted(starts, pos, side="right") - 1) for _, pos in tokens]
        word_value = dict(zip(info["word_counts"], info["wv"], strict=True))
        lo, hi = self.settings["word_ngram_range"]
        for n in range(lo, hi + 1):
            for i in range(len(tokens) - n + 1):
                gram = " ".join(t for t, _ in tokens[i : i + n])
                if gram not in word_value:
                    continue
                share = word_value[gram] * delta[self.word_vocab[gram]]
                share /= info["word_counts"][gram] * n
                for k in range(i, i + n):
                    weights[unit_of[k]] += share
        char_value = dict(zip(info["char_counts"], info["cv"], strict=True))
        offset = len(self.word_vocab)
        for u, grams in enumerate(self._chars(doc)[: len(units)]):
            for g in grams:
                if g in char_value:
                    share = char_value[g] * delta[offset + self.char_vocab[g]]
                    weights[u] += share / info["char_counts"][g]
        return [(s, e, float(w)) for (s, e), w in zip(units, weights, strict=True)]

    # ---- files
    def save(self, path: Any) -> Path:
        """Write the model to an ``.npz`` file (no pickles); return the path."""
        path = Path(path)
        meta = {
            "format": _FORMAT,
            "classes": list(self.classes),
            "settings": self.settings,
            "threshold": self.threshold,
            "corpus_sha256": self.corpus_sha256,
            "sklearn_version": self.sklearn_version,
        }
        word_terms = sorted(self.word_vocab, key=self.word_vocab.__getitem__)
        char_terms = sorted(self.char_vocab, key=self.char_vocab.__getitem__)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as fh:
            np.savez_compressed(
                fh,
                meta=np.array(json.dumps(meta)),
                # One string with a separator that cannot occur in a term (terms never hold
                # \x00), which is far smaller than an array of fixed-width strings.
                word_terms=np.array("\x00".join(word_terms)),
                char_terms=np.array("\x00".join(char_terms)),
                word_idf=self.word_idf,
                char_idf=self.char_idf,
                coef=self.coef,
                intercept=self.intercept,
            )
        return path

    @classmethod
    def load(cls, path: Any) -> ToneModel:
        """Read a model written by :meth:`save`."""
        path = Path(path)
        try:
            with np.load(path, allow_pickle=False) as z:
                meta = json.loads(str(z["meta"]))
                if meta.get("format") != _FORMAT:
                    raise ToneModelError(path, f"format {meta.get('format')}; want {_FORMAT}.")
                word_terms = str(z["word_terms"]).split("\x00")
                char_terms = str(z["char_terms"]).split("\x00")
                return cls(
                    classes=tuple(meta["classes"]),
                    word_vocab={t: i for i, t in enumerate(word_terms)},
                    word_idf=z["word_idf"],
                    char_vocab={t: i for i, t in enumerate(char_terms)},
                    char_idf=z["char_idf"],
                    coef=z["coef"],
                    intercept=z["intercept"],
                    settings=meta["settings"],
                    threshold=float(meta["threshold"]),
                    corpus_sha256=meta["corpus_sha256"],
                    sklearn_version=meta["sklearn_version"],
                    source=str(path),
                )
        except ToneModelError:
            raise
        except (OSError, ValueError, KeyError) as exc:
            raise ToneModelError(path, f"not a tone model file ({exc}).") from None


_CACHE: dict[tuple[str, int], ToneModel] = {}


def load_tone_model(source: Any = None) -> ToneModel:
    """The tone model in force: a coach's retrained one if present, else the built-in one.

    Loaded on first use and cached (a changed file is read again).

    Parameters
    ----------
    source
        ``None``: ``tone_model.npz`` in the default data folder when a coach has trained
        one there, else the model shipped with the package. A Workbook: the same file in
        its ``data_dir``. A path: that file.

    Raises
    ------
    ToneModelError
        The file cannot be read as a tone model.
    """
    if source is None or hasattr(source, "data_dir"):
        if source is None:
            from .paths import default_data_dir

            folder = default_data_dir()
        else:
            folder = Path(source.data_dir)
        coach = folder / TONE_MODEL_FILE
        path = coach if coach.is_file() else _BUILTIN_MODEL
    else:
        path = Path(source)
    try:
        key = (str(path), path.stat().st_mtime_ns)
    except OSError as exc:
        raise ToneModelError(path, f"no such model file ({exc}).") from None
    model = _CACHE.get(key)
    if model is None:
        model = ToneModel.load(path)
        _CACHE.clear()  # one model in memory at a time; the kernel's budget is small
        _CACHE[key] = model
    return model


# --------------------------------------------------------------------------- training
def _pipeline(settings: dict[str, Any]):
    """The scikit-learn pipeline the exported model reproduces."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    common = {
        "lowercase": settings["lowercase"],
        "min_df": settings["min_df"],
        "sublinear_tf": settings["sublinear_tf"],
        "dtype": np.float64,
    }
    features = FeatureUnion(
        [
            (
                "word",
                TfidfVectorizer(
                    analyzer="word",
                    token_pattern=settings["token_pattern"],
                    ngram_range=tuple(settings["word_ngram_range"]),
                    **common,
                ),
            ),
            (
                "char",
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=tuple(settings["char_ngram_range"]), **common
                ),
            ),
        ]
    )
    model = LogisticRegression(
        C=settings["C"], class_weight=settings["class_weight"], max_iter=5000, tol=1e-6
    )
    return Pipeline([("features", features), ("model", model)])


def fit_pipeline(frame: pd.DataFrame, settings: dict[str, Any] | None = None):
    """Fit the scikit-learn pipeline on labelled sentences (imports scikit-learn)."""
    pipe = _pipeline(settings or SETTINGS)
    pipe.fit(frame["sentence"].tolist(), frame["label"].tolist())
    return pipe


def export_pipeline(
    pipe: Any, *, threshold: float = 0.5, corpus_hash: str = "", settings: dict | None = None
) -> ToneModel:
    """A :class:`ToneModel` holding what a fitted pipeline needs to score."""
    import sklearn

    union = pipe.named_steps["features"]
    word = union.transformer_list[0][1]
    char = union.transformer_list[1][1]
    clf = pipe.named_steps["model"]
    return ToneModel(
        classes=tuple(str(c) for c in clf.classes_),
        word_vocab={str(k): int(v) for k, v in word.vocabulary_.items()},
        word_idf=np.asarray(word.idf_, dtype=np.float64),
        char_vocab={str(k): int(v) for k, v in char.vocabulary_.items()},
        char_idf=np.asarray(char.idf_, dtype=np.float64),
        coef=np.ascontiguousarray(clf.coef_, dtype=np.float64),
        intercept=np.asarray(clf.intercept_, dtype=np.float64),
        settings=dict(settings or SETTINGS),
        threshold=float(threshold),
        corpus_sha256=corpus_hash,
        sklearn_version=sklearn.__version__,
    )


def grouped_oof(frame: pd.DataFrame, *, folds: int = 5, settings: dict | None = None):
    """Out-of-fold models from cross-validation grouped by paraphrase family.

    Yields ``(test_index, model)`` per fold: no family is on both sides of a split.
    """
    from sklearn.model_selection import GroupKFold

    splitter = GroupKFold(n_splits=folds, shuffle=True, random_state=0)
    for train, test in splitter.split(frame, frame["label"], frame["family"]):
        pipe = fit_pipeline(frame.iloc[train], settings)
        yield test, export_pipeline(pipe, settings=settings)


def choose_threshold(harm: np.ndarray, labels: Sequence[str], target: float) -> float:
    """The lowest threshold at which at most ``target`` of the fine sentences are flagged."""
    fine = np.sort(harm[np.asarray(labels) == "fine"])
    if len(fine) == 0:
        return 0.5
    allowed = int(math.floor(target * len(fine)))
    # flagged means harm >= threshold: sit just above the (allowed+1)-th highest fine score
    cut = fine[len(fine) - allowed - 1]
    return float(min(0.95, max(0.5, np.nextafter(cut, 1.0))))


def training_files(data_dir: Any = None, *, builtin: bool = False) -> list[Path]:
    """The files a model is trained on: the shipped corpus, plus a coach's sentences."""
    files = [_BUILTIN_CORPUS]
    if not builtin:
        if data_dir is None:
            from .paths import default_data_dir

            data_dir = default_data_dir()
        coach = Path(data_dir) / TONE_SENTENCES_FILE
        if coach.is_file():
            files.append(coach)
    return files


def train_tone_model(
    data_dir: Any = None, *, builtin: bool = False, out: Any = None, folds: int = 5
) -> Path:
    """Train the tone model and write it; needs scikit-learn.

    Parameters
    ----------
    data_dir
        The coach's data folder (default: the workbook's). Its ``tone_sentences.tsv``, if
        any, is added to the shipped corpus, and the model is written to
        ``tone_model.npz`` there, never into the package.
    builtin
        Train on the shipped corpus alone and write the package's own model (for
        developers, after editing ``tone_corpus.tsv``).
    out
        Write the model here instead.
    folds
        Grouped cross-validation folds used to set the decision threshold.

    Returns
    -------
    pathlib.Path
        Where the model was written.
    """
    if data_dir is None and not builtin:
        from .paths import default_data_dir

        data_dir = default_data_dir()
    files = training_files(data_dir, builtin=builtin)
    frame = pd.concat([read_tone_sentences(f) for f in files], ignore_index=True)
    harm = np.zeros(len(frame))
    for test, model in grouped_oof(frame, folds=folds):
        harm[test] = model.harm(frame["sentence"].iloc[test].tolist())[0]
    threshold = choose_threshold(harm, frame["label"].tolist(), SETTINGS["target_fine_flagged"])
    model = export_pipeline(
        fit_pipeline(frame), threshold=threshold, corpus_hash=corpus_sha256(files)
    )
    if out is None:
        out = _BUILTIN_MODEL if builtin else Path(data_dir) / TONE_MODEL_FILE
    return model.save(out)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m followup_kit.tone_model train [--builtin] [--data-dir DIR] [--out FILE] ...``."""
    parser = argparse.ArgumentParser(prog="python -m followup_kit.tone_model")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("train", help="retrain the tone model (coach sentences included)")
    p.add_argument("--data-dir", help="the data folder holding tone_sentences.tsv")
    p.add_argument("--builtin", action="store_true", help="rebuild the package's own model")
    p.add_argument("--out", help="write the model to this file instead")
    p.add_argument(
        "--folds", type=int, default=5, help="cross-validation folds that set the threshold"
    )
    args = parser.parse_args(argv)
    from .exceptions import FollowupKitError

    try:
        path = train_tone_model(args.data_dir, builtin=args.builtin, out=args.out, folds=args.folds)
    except FollowupKitError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    model = ToneModel.load(path)
    n = len(model.word_vocab) + len(model.char_vocab)
    print(
        f"Wrote {path} ({path.stat().st_size // 1024} KiB, {n} features, "
        f"threshold {model.threshold:.3f})."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
