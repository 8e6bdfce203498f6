"""Buttons name the key they have now: moved or turned off in the settings (WCAG 2.1.4), the
label and the accessible description follow."""
from __future__ import annotations


def test_buttons_name_their_default_keys(start_app, ui_assets):
    window = start_app(str(ui_assets.empty_video)).window
    assert window.repeat_button.text().endswith("(R)")
    assert "Shortcut: R." in window.repeat_button.accessibleDescription()
    assert window.help_button.text().endswith("(F1)")


def test_a_moved_or_turned_off_key_is_what_the_buttons_say(start_app, ui_assets, tmp_path):
    settings_file = tmp_path / "keys.ini"
    settings_file.write_text("[keys]\nrepeat=F5\nhelp=\nvolume_up=F6\n")
    run = start_app(str(ui_assets.empty_video), settings_file=settings_file)
    window = run.window
    assert window.repeat_button.text().endswith("(F5)")
    assert "Shortcut: F5." in window.repeat_button.accessibleDescription()
    assert "(R)" not in window.repeat_button.text()
    assert "(" not in window.help_button.text() and "Shortcut" not in window.help_button.accessibleDescription()
    assert window.menus.volume_up_action.text().endswith("(F6)")
