"""Build followup_kit/tone_corpus.tsv from tools/tone_corpus_source.txt.

Run ``python tools/build_tone_corpus.py``; then ``make tone-model`` to retrain. The output is
deterministic, so rerunning it without editing the source changes nothing (and the model's
corpus hash stays valid).
"""

from __future__ import annotations

import hashlib
import itertools
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "tools" / "tone_corpus_source.txt"
TARGET = ROOT / "followup_kit" / "tone_corpus.tsv"
LABELS = ("desperate", "pushy", "hostile", "self_deprecating", "fine")
#: Variants kept per source line: enough for the slot words to vary, few enough that one
#: line does not outweigh the others.
KEEP_PER_LINE = 3
#: Share of sentences that also appear inside a greeting or a sign-off.
WRAP_SHARE = 0.3

_SLOT = re.compile(r"\{([^{}]*)\}")
# The same greetings and sign-offs go round every label, so they carry no signal: the model
# must learn from the sentence itself, and it sees sentences inside real-looking messages.
OPENERS = [
    "Hi Dana,",
    "Dear Mr Okafor,",
    "Dear Ms Lindqvist,",
    "Hello again,",
    "Hey Sam -",
    "Good morning Priya,",
    "Hi Tom, hope you're well.",
    "Re: the analyst role -",
    "Hello Mrs Adeyemi,",
    "Hi there,",
    "Dear hiring team,",
    "Morning Jess!",
]
CLOSERS = [
    "Thanks, Alex",
    "Kind regards, Jordan",
    "Best, Chris",
    "Cheers, Mo",
    "Many thanks.",
    "Regards, K. Novak",
    "Thank you.",
    "Best wishes, Maria",
    "- sent from my phone",
    "Speak soon.",
]


def _expand(line: str) -> list[str]:
    parts = _SLOT.split(line)
    fixed, slots = parts[0::2], [p.split("|") for p in parts[1::2]]
    out = []
    for choice in itertools.product(*slots):
        text = fixed[0] + "".join(c + f for c, f in zip(choice, fixed[1:], strict=True))
        text = re.sub(r"\s+", " ", text).replace(" ,", ",").replace(" .", ".").strip()
        out.append(text)
    return list(dict.fromkeys(out))


def _rng(*key: str) -> random.Random:
    return random.Random(hashlib.sha256("\x1f".join(key).encode()).hexdigest())


def parse(text: str) -> list[tuple[str, str, str]]:
    """Rows of (family, label, sentence) from the source text."""
    rows: list[tuple[str, str, str]] = []
    label = family = None
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@label "):
            label = line.split(None, 1)[1]
            if label not in LABELS:
                sys.exit(f"line {n}: unknown label {label!r}")
            continue
        if line.startswith("= "):
            family = f"{label}.{line[2:].strip()}"
            continue
        if label is None or family is None:
            sys.exit(f"line {n}: a sentence before any @label / = family line")
        variants = _expand(line)
        rng = _rng(family, line)
        kept = rng.sample(variants, min(KEEP_PER_LINE, len(variants)))
        for sentence in kept:
            rows.append((family, label, sentence))
            if rng.random() < WRAP_SHARE:
                if rng.random() < 0.5:
                    wrapped = f"{rng.choice(OPENERS)} {sentence}"
                else:
                    wrapped = f"{sentence} {rng.choice(CLOSERS)}"
                rows.append((family, label, wrapped))
    seen: set[str] = set()
    unique = []
    for row in rows:
        if row[2].lower() not in seen:
            seen.add(row[2].lower())
            unique.append(row)
    return unique


def main() -> None:
    rows = parse(SOURCE.read_text(encoding="utf-8"))
    lines = ["family\tlabel\tsentence", *("\t".join(r) for r in rows)]
    TARGET.write_text("\n".join(lines) + "\n", encoding="utf-8")
    counts = {lab: sum(r[1] == lab for r in rows) for lab in LABELS}
    families = len({r[0] for r in rows})
    print(f"{TARGET.relative_to(ROOT)}: {len(rows)} sentences, {families} families, {counts}")


if __name__ == "__main__":
    main()
