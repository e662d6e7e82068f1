"""What the runs list writes in each cell of a run's row: plain words from the run's own numbers."""
from __future__ import annotations

from nnlab.engine.numbers import format_number
from nnlab.lab.runs import Run, RunTree

COLUMNS = ("Compare", "Run", "What differs", "From", "Epochs", "Best val. loss", "Best val. accuracy", "Time")
COMPARE, NAME, DIFFERS, ORIGIN, EPOCHS, BEST_LOSS, BEST_SCORE, TIME = range(len(COLUMNS))
LAST_EVENTS = 6  # a row's tooltip lists the run's latest events; a long run has hundreds of pauses


def origin_words(run: Run, tree: RunTree) -> str:
    """"run 1, epoch 3" for a branch (or an edit's new run), "" for a run that started afresh."""
    if run.parent is None:
        return ""
    parent_id, epoch = run.parent
    name = tree[parent_id].name if parent_id in tree else f"run {parent_id} (removed)"
    return f"{name}, epoch {epoch}"


def best_words(run: Run) -> tuple[str, str]:
    """(best validation loss, its accuracy in % — or "MAE 0.12" for a network that predicts numbers);
    dashes without validation."""
    best = run.best_validation
    if best is None:
        return "–", "–"
    loss, score = best
    score_text = f"MAE {format_number(score, 3)}" if run.history.regression else f"{100 * score:.1f} %"
    return format_number(loss, 4), score_text


def duration_words(seconds: float) -> str:
    """"0.8 s", "42 s", "3 min 05 s", "1 h 02 min"."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def epochs_tip(run: Run) -> str:
    own = run.epochs_trained
    if run.start_epoch:
        return f"{run.last_epoch} epochs: {own} of its own after epoch {run.start_epoch}"
    return f"{own} epoch{'s' * (own != 1)} trained"


def events_tip(run: Run, current: bool) -> str:
    """The row's tooltip: which run Start records into, and the run's latest events."""
    lines = [f"{run.name}: " + ("the current run — Start records into it" if current else
                                "click to make it current and carry it on")]
    for event in run.events[-LAST_EVENTS:]:
        where = f"epoch {event.epoch}" + (f", batch {event.batch}" if event.batch else "")
        lines.append(f"• {event.kind} at {where}" + (f": {event.text}" if event.text else ""))
    if len(run.events) > LAST_EVENTS:
        lines.insert(1, f"… {len(run.events) - LAST_EVENTS} earlier events")
    return "\n".join(lines)
