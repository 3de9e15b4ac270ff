"""Time suggest_for_steps on ~300k plan rows (goal: well under 0.2 s) and the tone check."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

import followup_kit as fk
from followup_kit.library import suggest_for_steps
from followup_kit.schema import CHOICES, STEPS


def plan_rows(n: int, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)

    def cat(values, field):
        return pd.Categorical(rng.choice(values, n), categories=list(CHOICES[field]))

    return pd.DataFrame(
        {
            "step": cat(list(STEPS), "step"),
            "contact_route": cat(list(CHOICES["contact_route"]), "contact_route"),
            "round": cat(list(CHOICES["round"]), "round"),
            "status": cat(list(CHOICES["status"]), "status"),
            "decision_passed": rng.random(n) < 0.3,
        }
    )


def best_of(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    frame = plan_rows(300_000)
    suggest_for_steps(frame.head(5))  # load the library once
    t_cat = best_of(lambda: suggest_for_steps(frame))
    as_text = frame.astype({c: "string" for c in ("step", "contact_route", "round", "status")})
    t_str = best_of(lambda: suggest_for_steps(as_text))
    print(f"suggest_for_steps, 300,000 rows, categorical columns: {t_cat * 1000:.0f} ms")
    print(f"suggest_for_steps, 300,000 rows, string columns:      {t_str * 1000:.0f} ms")

    text = fk.render_script("decision_check_call", "email", {}) * 3
    t_tone = best_of(lambda: fk.check_tone(text), repeat=20)
    print(f"check_tone on a {len(text.split())}-word message: {t_tone * 1000:.1f} ms")


if __name__ == "__main__":
    main()
