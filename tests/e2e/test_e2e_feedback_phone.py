"""On a phone, the outcome of Save shows where the finger is: the success text and a field's error are in
the viewport after tapping Save at the bottom of a long form, and the focus is on the first wrong field."""
import pytest
from e2e_kit import TIMEOUT_MS, key, log_in, main_area, t, type_into, wait_for
from playwright.sync_api import expect
from test_e2e_outreach_phone import open_screen, register

pytestmark = pytest.mark.e2e


def tap_save(page, button_key: str) -> None:
    """Scroll down to the button at the end of the form and tap it, as a thumb would."""
    button = key(page, button_key).locator("button")
    button.scroll_into_view_if_needed()
    button.tap()


def in_viewport(locator) -> bool:
    """The element is drawn wholly inside the visible part of the window."""
    return locator.evaluate("""el => { const r = el.getBoundingClientRect();
        return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight; }""")


def focus_is_in(page, widget_key: str) -> bool:
    return page.evaluate("k => !!document.activeElement && !!document.activeElement.closest('.st-key-' + k)",
                         widget_key)


def comes_into_view(locator) -> None:
    expect(locator).to_be_visible(timeout=TIMEOUT_MS)
    try:
        wait_for(lambda: in_viewport(locator), timeout=5)
    except AssertionError:
        raise AssertionError(f"not in the viewport: {locator.bounding_box()}") from None


def success_alert(page, text: str):
    return main_area(page).get_by_test_id("stAlert").filter(has_text=text)


def test_register_on_a_phone_shows_the_error_at_the_field_and_the_success_at_the_button(phone, server, outreach_login):
    page = phone
    log_in(page, server.url, outreach_login[0])
    open_screen(page, "nav.register")
    register(page, "Noor", "Saleh", ("Nederland", "Nederland (+31)"), "0944 123 456", "Markt Noord")
    tap_save(page, "register_submit")

    error = main_area(page).get_by_text(t("err.phone_invalid", country_name="Nederland"))
    comes_into_view(error)
    wait_for(lambda: focus_is_in(page, "register_phone"), timeout=5)

    type_into(page, "register_phone", "06 24681357")
    tap_save(page, "register_submit")
    comes_into_view(success_alert(page, t("register.saved", name="Noor Saleh")))
