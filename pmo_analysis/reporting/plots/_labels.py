"""Labels beside the points of a scatter chart, placed so that none overlaps another or leaves the axes."""

from __future__ import annotations

import numpy as np
from matplotlib.text import Text


def label_points(ax, xs, ys, texts, fontsize: int = 8) -> None:
    """Label points so that no two labels overlap and none leaves the axes.

    Each label starts beside its point with a leader line; labels whose boxes overlap are pushed
    apart vertically (in screen pixels, the way a reader sees them), a label that would cross the
    right edge is put on the left of its point, and every label is kept inside the axes. The result
    is checked on the sample by a test that measures the drawn text boxes.
    """
    items = [
        ax.annotate(
            str(t),
            (x, y),
            xytext=(6, 4),
            textcoords="offset points",
            fontsize=fontsize,
            va="bottom",
            ha="left",
            parse_math=False,
            arrowprops={"arrowstyle": "-", "color": "#777", "lw": 0.6, "shrinkA": 0, "shrinkB": 2},
        )
        for x, y, t in zip(xs, ys, texts, strict=False)
    ]
    if not items:
        return
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    px = fig.dpi / 72  # pixels per point
    frame = ax.get_window_extent(renderer)

    def box(t):
        return Text.get_window_extent(t, renderer)  # the text itself, without its leader line

    for t in items:  # a label past the right edge goes on the left of its point
        if box(t).x1 > frame.x1 - 2:
            t.set_ha("right")
            t.xyann = (-6, t.xyann[1])
    # each label is measured once: moving it by its offset (points) moves its box by as many pixels
    # times px, so the rounds below work on numbers, not on laid-out text
    measured = [box(t) for t in items]
    x0 = np.array([b.x0 for b in measured])
    x1 = np.array([b.x1 for b in measured])
    y0 = np.array([b.y0 for b in measured])
    y1 = np.array([b.y1 for b in measured])
    start = np.array([t.xyann[1] for t in items], dtype=float)
    dy = start.copy()  # each label's vertical offset, in points

    def bottom(i):
        return y0[i] + (dy[i] - start[i]) * px

    def top(i):
        return y1[i] + (dy[i] - start[i]) * px

    n = len(items)
    for _round in range(300):
        moved = False
        tops, bottoms = [top(i) for i in range(n)], [bottom(i) for i in range(n)]
        for i in range(n):
            for j in range(i + 1, n):
                wide = min(x1[i], x1[j]) - max(x0[i], x0[j])
                high = min(tops[i], tops[j]) - max(bottoms[i], bottoms[j])
                if wide > 0 and high > -2:  # overlapping, or closer than 2 px
                    push = (high + 3) / 2 / px
                    up, down = (i, j) if (bottoms[i] + tops[i]) >= (bottoms[j] + tops[j]) else (j, i)
                    dy[up] += push
                    dy[down] -= push
                    moved = True
        for i in range(n):  # inside the axes, top and bottom
            if top(i) > frame.y1 - 1:
                dy[i] -= (top(i) - frame.y1 + 2) / px
                moved = True
            elif bottom(i) < frame.y0 + 1:
                dy[i] += (frame.y0 - bottom(i) + 2) / px
                moved = True
        if not moved:
            break
    for t, d in zip(items, dy, strict=True):
        t.xyann = (t.xyann[0], float(d))
