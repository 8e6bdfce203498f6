"""Report files and charts."""
import json

import cv2
import numpy as np
import pytest

from desktop_app.testers.charts import confusion_png, have_matplotlib, tradeoff_png
from desktop_app.testers.scoring import Scored, summarise
from desktop_app.testers.writing import write_csv, write_json, write_png


ENGINES = ["opencv", pytest.param("matplotlib", marks=pytest.mark.skipif(
    not have_matplotlib(), reason="matplotlib (the charts extra) not installed"))]


@pytest.mark.parametrize("engine", ENGINES)
def test_writers_and_charts(tmp_path, engine):
    write_json(tmp_path / "a" / "r.json", {"text": "एक सय रुपैयाँ", "x": 1.5})
    assert json.loads((tmp_path / "a" / "r.json").read_text(encoding="utf-8"))["text"] == "एक सय रुपैयाँ"
    write_csv(tmp_path / "r.csv", [{"t": 1.23456, "said": "100", "extra": 1}, {"t": None, "said": "none"}], ("t", "said"))
    assert (tmp_path / "r.csv").read_text().splitlines() == ["t,said", "1.235,100", ",none"]
    s = summarise([Scored("100", "100"), Scored("100", "500"), Scored("none", "unsure")])
    img = confusion_png(s["confusion"], engine=engine)
    points = [{"min_inliers": mi, "min_margin": m, "coverage": c, "wrong_rate": w}
              for m in (1.5, 2.0) for mi, c, w in ((6, 0.9, 0.2), (12, 0.7, 0.05), (30, 0.3, 0.0))]
    chart = tradeoff_png(points, {**points[1], "min_margin": 1.5}, "trade-off", engine=engine)
    for name, image in (("c.png", img), ("t.png", chart)):
        write_png(tmp_path / name, image)
        back = cv2.imread(str(tmp_path / name))
        assert back is not None and back.shape == image.shape
        assert np.std(back) > 10  # something was drawn, not a blank page


def test_charts_fall_back_to_opencv_without_matplotlib(monkeypatch):
    import sys

    from desktop_app.testers import charts

    conf = summarise([Scored("100", "100")])["confusion"]
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # what an install without the extra sees
    assert not charts.have_matplotlib()
    drawn = confusion_png(conf)
    assert np.array_equal(drawn, confusion_png(conf, engine="opencv"))
    with pytest.raises(ValueError, match="unknown chart engine"):
        confusion_png(conf, engine="svg")


def test_points_on_the_same_spot_share_one_label():
    from desktop_app.testers.charts import inlier_labels

    line = [{"min_inliers": mi, "wrong_rate": w, "coverage": c}
            for mi, w, c in ((6, 0.1, 0.9), (8, 0.0, 0.8), (10, 0.0, 0.8), (12, 0.0, 0.8), (20, 0.0, 0.5))]
    assert [text for _, text in inlier_labels(line)] == ["6", "8-12", "20"]
