import io

from desktop_app.testers.progress import Progress


class Tty(io.StringIO):
    def isatty(self):
        return True


def test_silent_when_not_a_terminal():
    stream = io.StringIO()
    with Progress(10, "classify", stream=stream) as bar:
        for i in range(10):
            bar.update()
    assert stream.getvalue() == ""
    bar.message("error: x.jpg: cannot read image")  # messages still get through
    assert stream.getvalue() == "error: x.jpg: cannot read image\n"


def test_draws_on_a_terminal_and_keeps_messages_on_their_own_line():
    now = [0.0]
    stream = Tty()
    bar = Progress(4, "replay", stream=stream, width=8, clock=lambda: now[0])
    bar.update(1, "0.2 s")
    assert bar.render() == "replay [##------] 1/4  25%  0.2 s"
    bar.update(2)  # too soon after the last draw: not redrawn
    assert stream.getvalue().count("\r") == 1
    bar.message("skipped broken.jpg")
    now[0] = 1.0
    bar.update(4)
    bar.close()
    text = stream.getvalue()
    assert "skipped broken.jpg\n" in text and "4/4 100%" in text and text.endswith("\n")


def test_quiet_and_unknown_totals():
    stream = Tty()
    with Progress(None, "frames", stream=stream, enabled=False) as bar:
        bar.update(3)
    assert stream.getvalue() == ""
    assert Progress(None, "frames", stream=stream).render() == "frames 0"
