"""Number formatting shared by tables, sentences and documents (journal conventions).

P-values: three decimals, "<0.001" and ">0.999" at the ends; per cent one decimal; "n (%)" cells;
medians "NR" when not reached. Nothing here computes a statistic: values come from results.json.
"""

from __future__ import annotations

from typing import Any

DASH = "–"
SUPERSCRIPTS = "ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻ"


def p_value(p: float | None) -> str:
    """'0.043', '<0.001', '>0.999'; an en dash for None (no test)."""
    if p is None:
        return DASH
    if p < 0.001:
        return "<0.001"
    if p > 0.999:
        return ">0.999"
    return f"{p:.3f}"


def p_phrase(p: float | None) -> str:
    """'P=0.043' / 'P<0.001' for sentences; 'P not computed' for None."""
    text = p_value(p)
    if text == DASH:
        return "P not computed"
    return f"P{text}" if text[0] in "<>" else f"P={text}"


def number(x: float | None, digits: int = 1) -> str:
    """A value with ``digits`` decimals; integers without decimals; 'NR' for None."""
    if x is None:
        return "NR"
    if float(x).is_integer() and abs(x) < 1e15:
        return f"{int(x)}"
    return f"{x:.{digits}f}"


def fixed(x: float | None, digits: int = 1, *, none: str = "NR") -> str:
    """A value with exactly ``digits`` decimals ('NR' or ``none`` for None)."""
    return none if x is None else f"{x:.{digits}f}"


def n_pct(count: dict[str, Any] | None, *, zero_plain: bool = False) -> str:
    """'26 (83.9)' from ``{n, percent}``; '0' when ``zero_plain`` and n = 0 (the seed paper's Table V)."""
    if not count:
        return DASH
    n = count.get("n", 0)
    if zero_plain and n == 0:
        return "0"
    pct = count.get("percent")
    return f"{n} ({DASH if pct is None else f'{pct:.1f}'})"


def ci(lower: float | None, upper: float | None, digits: int = 1) -> str:
    """'4.6–NR'."""
    return f"{fixed(lower, digits)}{DASH}{fixed(upper, digits)}"


def estimate_ci(est: float | None, lower: float | None, upper: float | None, digits: int = 1) -> str:
    """'11.2 (4.6–NR)'."""
    return f"{fixed(est, digits)} ({ci(lower, upper, digits)})"


def hr_ci(hr: float | None, lower: float | None, upper: float | None) -> str:
    """'0.585 (0.155–0.992)' (three decimals as in the seed paper's Tables III–IV); 'NE' for None."""
    if hr is None or (hr == 0 and lower is None):  # 0 without a CI: monotone likelihood, not an estimate
        return "NE"
    if lower is None or upper is None:
        return f"{hr:.3f} (NE)"
    return f"{hr:.3f} ({lower:.3f}{DASH}{upper:.3f})"


def percent(fraction: float | None, digits: int = 1) -> str:
    """A fraction in [0, 1] as per cent text without the sign."""
    return DASH if fraction is None else f"{fraction * 100:.{digits}f}"


def marker(index: int) -> str:
    """Footnote marker number ``index`` (0-based) as a superscript letter."""
    return SUPERSCRIPTS[index % len(SUPERSCRIPTS)]


def sentence(text: str) -> str:
    """Capitalise the first letter and end with a full stop."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
