"""Draw the README's example figure from the SYNTHETIC demo data.

    python scripts/make_readme_figure.py            # writes docs/figures/volume-demo.png

The figure shows weekly volume and the composite rhetoric-intensity index of the six directed
RUS/KOR/PRK dyads with the milestones at which the demo generator planted effects. It is drawn
from synthetic data and says so in its title and caption; it shows what the charts look like,
not anything about the real world.
"""

from __future__ import annotations

import sys
from pathlib import Path

import toolkit
from toolkit import charts

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "docs" / "figures" / "volume-demo.png"
#: milestones where toolkit.sources.demo plants effects
SHOWN = ["summit-2019", "invasion", "summit-2023", "treaty-2024", "troops-2024",
         "purl-consultations", "purl-asymmetric-warning"]


def main(out: Path = OUT) -> Path:
    cube = toolkit.load_cube(source="demo")
    totals = toolkit.load_daily_totals(source="demo")
    frame = toolkit.compute_indices(cube, totals, ["volume", "rhetoric_intensity"], freq="W",
                                    rolling=4)
    ms = toolkit.load_milestones()
    ms = ms[ms["id"].isin(SHOWN)]
    fig = charts.timeline(frame, ms, title="Volume and rhetoric intensity by dyad, weekly "
                          "(SYNTHETIC demo data)", width_hint=1200, height=720)
    charts.export_figure(fig, out, width=1200, height=720, scale=1)
    # a 256-colour palette keeps the committed PNG small (~1/3 of the size) and sharp
    from PIL import Image

    with Image.open(out) as im:
        small = im.convert("RGB").quantize(colors=256, method=Image.Quantize.FASTOCTREE)
    small.save(out, optimize=True)
    return out


if __name__ == "__main__":
    print(main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT))
