import pytest

from desktop_app.sources.pacer import Pacer


def test_pacer_waits_one_period_per_frame():
    now = [0.0]
    slept = []

    def sleep(d):
        slept.append(d)
        now[0] += d

    pacer = Pacer(10.0, clock=lambda: now[0], sleep=sleep)
    for _ in range(4):
        pacer.wait()
    assert now[0] == pytest.approx(0.3)
