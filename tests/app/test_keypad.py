"""The keypad script is raw HTML: only a widget key from the code and one of two input modes may reach it."""
import pytest

from crm_app.ui import keypad


def test_the_script_marks_the_phone_input_of_that_key_only():
    script = keypad.script("register_phone")
    assert '".st-key-register_phone input"' in script and 'm="tel"' in script
    assert 'm="numeric"' in keypad.script("kiosk_start_pin", "numeric")


@pytest.mark.parametrize("hostile", ['x";alert(1)//', "</script><script>alert(1)</script>", "a b", "A", "a" * 200])
def test_the_script_refuses_anything_but_a_widget_key(hostile):
    with pytest.raises(ValueError):
        keypad.script(hostile)


@pytest.mark.parametrize("hostile", ['tel";alert(1)//', "text", ""])
def test_the_script_refuses_any_other_input_mode(hostile):
    with pytest.raises(ValueError):
        keypad.script("kiosk_start_pin", hostile)
