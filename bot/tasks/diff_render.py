"""Renders diff hunks as numbered text a model can cite lines from."""

from __future__ import annotations

from bot.change.model import FileChange, FileStatus, Hunk, LineKind

# Marker for lines of the file shown around a hunk but not part of the diff: not citable.
OUTSIDE = "~"


def _row(old: int | None, new: int | None, marker: str, text: str) -> str:
    o = str(old) if old is not None else ""
    n = str(new) if new is not None else ""
    return f"{o:>5} {n:>5} {marker} | {text}"


def file_header(f: FileChange, part: str | None = None) -> str:
    status = f.status.value
    if f.status is FileStatus.RENAMED and f.old_path:
        status = f"renamed from {f.old_path}"
    bits = [status]
    if f.language:
        bits.append(f.language)
    if part:
        bits.append(part)
    return f"### {f.path} ({', '.join(bits)})"


def render_hunk(
    hunk: Hunk,
    head_lines: list[str] | None = None,
    extra: int = 0,
    lower: int = 1,
    upper: int | None = None,
) -> str:
    """One hunk with up to `extra` lines of head-file context around it.

    `lower`/`upper` bound the extra context so it never repeats lines that a neighbouring
    hunk shows.
    """
    out = [
        f"@@ -{hunk.old_start},{hunk.old_len} +{hunk.new_start},{hunk.new_len} @@ "
        f"{hunk.section}".rstrip()
    ]
    new_end = _new_end(hunk)
    offset = hunk.old_start - hunk.new_start
    if head_lines is not None and extra > 0 and hunk.new_len > 0:
        first = max(lower, hunk.new_start - extra)
        for n in range(first, hunk.new_start):
            if 1 <= n <= len(head_lines):
                out.append(_row(n + offset, n, OUTSIDE, head_lines[n - 1]))
    for ln in hunk.lines:
        marker = ln.kind.value if ln.kind is not LineKind.CONTEXT else " "
        out.append(_row(ln.old_no, ln.new_no, marker, ln.text))
    if head_lines is not None and extra > 0 and hunk.new_len > 0:
        old_end = hunk.old_start + hunk.old_len - 1
        last = min(len(head_lines), new_end + extra)
        if upper is not None:
            last = min(last, upper)
        for n in range(new_end + 1, last + 1):
            out.append(_row(old_end + (n - new_end), n, OUTSIDE, head_lines[n - 1]))
    return "\n".join(out)


def render_hunks(f: FileChange, head_text: str | None, extra: int) -> list[str]:
    """Each hunk of `f` rendered, with extra context drawn from the head version if known."""
    head_lines = head_text.splitlines() if head_text is not None and extra > 0 else None
    # Neighbouring hunks split the gap between them, so no line is shown twice.
    mids = [(_new_end(a) + b.new_start) // 2 for a, b in zip(f.hunks, f.hunks[1:], strict=False)]
    blocks: list[str] = []
    for i, hunk in enumerate(f.hunks):
        lower = mids[i - 1] + 1 if i > 0 else 1
        upper = mids[i] if i < len(mids) else None
        blocks.append(render_hunk(hunk, head_lines, extra, lower, upper))
    return blocks


def _new_end(hunk: Hunk) -> int:
    return hunk.new_start + max(hunk.new_len, 1) - 1


def split_hunk(hunk: Hunk, max_lines: int) -> list[Hunk]:
    """Cuts an oversized hunk into consecutive windows of at most `max_lines` diff lines."""
    if len(hunk.lines) <= max_lines:
        return [hunk]
    parts: list[Hunk] = []
    for start in range(0, len(hunk.lines), max_lines):
        window = hunk.lines[start : start + max_lines]
        olds = [ln.old_no for ln in window if ln.old_no is not None]
        news = [ln.new_no for ln in window if ln.new_no is not None]
        parts.append(
            Hunk(
                old_start=olds[0] if olds else hunk.old_start,
                old_len=len(olds),
                new_start=news[0] if news else hunk.new_start,
                new_len=len(news),
                section=hunk.section,
                lines=list(window),
            )
        )
    return parts
