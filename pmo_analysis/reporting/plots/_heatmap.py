"""A heatmap drawn as seaborn draws it, with matplotlib alone (see :func:`heatmap`)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap, Normalize


def heatmap(
    ax,
    table: pd.DataFrame,
    *,
    cmap: str,
    vmin: float | None = None,
    vmax: float | None = None,
    center: float | None = None,
    annot=None,
    fmt_cell: str = "",
    linewidth: float = 0.3,
    cbar_label: str = "",
    cbar_format=None,
    shrink: float = 1.0,
):
    """A heatmap drawn as seaborn's ``heatmap`` draws it (rows top down, the colour map centred on
    ``center``, cell text dark on light cells and white on dark, a colourbar without outline),
    with matplotlib alone: seaborn's import and its scipy.stats cost a report kernel 1.6 s.
    ``annot`` is True (the values in ``fmt_cell``), a frame of texts, or None.
    """
    values = np.ma.masked_invalid(table.to_numpy(dtype=float))
    missing = np.ma.getmaskarray(values)
    lo = vmin if vmin is not None else float(values.min()) if values.count() else 0.0
    hi = vmax if vmax is not None else float(values.max()) if values.count() else 1.0
    colors = plt.get_cmap(cmap)
    if center is not None:  # seaborn's recentring: the middle colour at ``center``
        span = max(hi - center, center - lo)
        cmin, cmax = Normalize(center - span, center + span)([lo, hi])
        colors = ListedColormap(colors(np.linspace(cmin, cmax, 256)))
    mesh = ax.pcolormesh(values, cmap=colors, vmin=lo, vmax=hi, edgecolors="white", linewidth=linewidth)
    ax.set_xlim(0, values.shape[1])
    ax.set_ylim(0, values.shape[0])
    ax.invert_yaxis()
    ax.grid(False)
    for side in ax.spines.values():
        side.set_visible(False)
    ax.set_xticks(np.arange(values.shape[1]) + 0.5, [str(c) for c in table.columns], rotation=90)
    ax.set_yticks(np.arange(values.shape[0]) + 0.5, [str(r) for r in table.index], rotation=0)
    ax.tick_params(length=0)
    if annot is not None and annot is not False:
        texts = table.map(lambda v: format(v, fmt_cell) if pd.notna(v) else "") if annot is True else annot.astype(str)
        rgb = mesh.cmap(mesh.norm(values))[..., :3]
        rgb = np.where(rgb <= 0.03928, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)  # sRGB to linear, as seaborn
        lum = 0.2126 * rgb[..., 0] + 0.7152 * rgb[..., 1] + 0.0722 * rgb[..., 2]
        for (i, j), text in np.ndenumerate(texts.to_numpy()):  # cells of a chart, at most a few hundred
            if text and not missing[i, j]:
                ax.text(
                    j + 0.5,
                    i + 0.5,
                    text,
                    ha="center",
                    va="center",
                    fontsize=7,
                    color=".15" if lum[i, j] > 0.408 else "w",
                )
    bar = ax.figure.colorbar(mesh, ax=ax, label=cbar_label, format=cbar_format, shrink=shrink)
    bar.outline.set_linewidth(0)
    return mesh
