"""Reading hand-written holds and labels files: one reader for every format."""
import pytest

from desktop_app.testers.reading import (
    ReportInputError, Span, normalise_label, parse_time, read_holds, read_label_file, read_labels,
)


def test_times_and_labels_are_read_the_way_testers_write_them():
    assert parse_time("12.5") == 12.5
    assert parse_time("1:02.5") == 62.5
    assert parse_time("1:00:03") == 3603
    with pytest.raises(ValueError):
        parse_time("soon")
    assert normalise_label("Rs 100") == "100"
    assert normalise_label("rs500") == "500"
    assert normalise_label("NPR 1000") == "1000"
    assert normalise_label("empty") == "none"
    with pytest.raises(ValueError):
        normalise_label("25")


def test_holds_file_with_header_comments_and_mixed_separators(tmp_path):
    path = tmp_path / "holds.csv"
    path.write_text("start,end\n# first note\n0.9, 3.2\n\n4;5  # second\n0:06 0:07.5\n")
    holds = read_holds(path)
    assert holds == [Span(0.9, 3.2), Span(4.0, 5.0), Span(6.0, 7.5)]


def test_labels_need_a_value_and_errors_name_file_and_line(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text("start,end,label\n1,3,Rs 100\n3,4,none\n")
    assert read_labels(path) == [Span(1, 3, "100"), Span(3, 4, "none")]
    bad = tmp_path / "bad.csv"
    bad.write_text("1,3,100\n4,5\n")
    with pytest.raises(ReportInputError, match=r"bad\.csv, line 2"):
        read_labels(bad)
    backwards = tmp_path / "backwards.csv"
    backwards.write_text("3,1\n")
    with pytest.raises(ReportInputError, match="before it starts"):
        read_holds(backwards)
    overlapping = tmp_path / "overlap.csv"
    overlapping.write_text("1,3\n2,4\n")
    with pytest.raises(ReportInputError, match="overlap"):
        read_holds(overlapping)
    with pytest.raises(ReportInputError, match="missing.csv"):
        read_holds(tmp_path / "missing.csv")


def test_one_reader_serves_photo_labels_too(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text('path;label\n# a comment\nshot#2.jpg; Rs 100  # the second shot\n'
                    '"dir, with comma/a.jpg",500\nb.jpg 20\nc.jpg\tempty\n')
    assert read_label_file(path) == {"shot#2.jpg": "100", "dir, with comma/a.jpg": "500", "b.jpg": "20",
                                     "c.jpg": "none"}
    path.write_text("a.jpg\n")
    with pytest.raises(ReportInputError, match=r"labels\.csv, line 1: expected 'path,label'"):
        read_label_file(path)
    path.write_text("")
    assert read_label_file(path) == {}
    with pytest.raises(ReportInputError, match=f"cannot read {tmp_path}: Is a directory$"):
        read_label_file(tmp_path)  # a folder, not a file
    path.write_bytes(b"a.jpg,100\n\xff\xfe\n")
    with pytest.raises(ReportInputError, match="not UTF-8 text"):
        read_label_file(path)
