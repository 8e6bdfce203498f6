"""A held key as a person means it: autorepeat ignored, X11's release/press pairs absorbed."""
from desktop_app.scanning.held_key import HeldKey


def test_a_press_a_hold_and_a_real_release():
    k = HeldKey(grace=0.08)
    assert k.press() is True and k.down
    assert k.press(autorepeat=True) is False
    k.release(1.0, autorepeat=True)  # flagged: ignored
    assert not k.pending
    k.release(1.0)
    assert k.pending and k.busy and k.tick(1.05) is None
    assert k.tick(1.08) == 1.0 and not k.down and not k.busy


def test_an_unflagged_release_press_pair_keeps_the_hold():
    k = HeldKey(grace=0.08)
    k.press()
    k.release(1.0)
    assert k.press() is False  # X11 autorepeat in disguise
    assert k.down and not k.pending and k.tick(5.0) is None


def test_release_without_press_and_reset():
    k = HeldKey()
    k.release(0.0)
    assert not k.busy
    k.press()
    k.release(0.1)
    k.reset()
    assert not k.busy and k.press() is True
