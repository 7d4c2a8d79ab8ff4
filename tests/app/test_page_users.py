"""Staff accounts (administrators): add, refuse a short password, disable."""
import pytest
from apptest_kit import PASSWORD, count, field_messages, first_run, main_text, new_app, submit_login, t, values

from crm_app.access.users import PASSWORD_MIN


@pytest.fixture
def users_page(login):
    return login("admin", "users")


def add_user(at, username, display_name, role, password):
    at.text_input(key="users_username").input(username)
    at.text_input(key="users_display_name").input(display_name)
    at.selectbox(key="users_role").set_value(role)
    at.text_input(key="users_password").input(password)
    return at.button(key="users_submit").click().run()


def test_lists_every_account_with_its_role(users_page, staff):
    for member in staff.values():
        row = users_page.get_by_key(f"users_row_{member.username}")
        assert member.display_name in main_text(row)
    # No button to disable yourself.
    assert not [b for b in users_page.button if b.key == f"users_toggle_{staff['admin'].username}"]


def test_the_last_login_is_labelled(users_page, staff):
    """A bare date beside an account said nothing: it says it is the last login, or that there was none."""
    from crm_app.core import formats
    from crm_app.ui.resources import get_store
    with get_store().read() as cur:
        last = cur.execute("SELECT last_login_utc FROM app_user WHERE username = ?", [staff["admin"].username]).fetchone()[0]
    assert last is not None
    admin_row = main_text(users_page.get_by_key(f"users_row_{staff['admin'].username}"))
    assert t("users.last_login", time=formats.datetime(last, "nl")) in admin_row
    kiosk_row = main_text(users_page.get_by_key(f"users_row_{staff['kiosk'].username}"))
    assert t("users.never_logged_in") in kiosk_row


def test_add_a_user_who_can_then_log_in(users_page, store):
    add_user(users_page, "Fatima", "Fatima El Amrani", "coordinator", "een lang genoeg wachtwoord")

    assert values(users_page.main, "success") == [t("users.added", username="fatima")]
    assert users_page.get_by_key("users_row_fatima")
    assert users_page.text_input(key="users_password").value == ""
    with store.read() as cur:
        assert cur.execute("SELECT display_name, role, disabled FROM app_user WHERE username = 'fatima'").fetchone() == (
            "Fatima El Amrani", "coordinator", False)

    at = first_run(new_app())
    submit_login(at, "fatima", "een lang genoeg wachtwoord")
    assert values(at.main, "title") == [t("home.welcome", name="Fatima El Amrani")]


def test_a_too_short_password_is_refused_at_the_password_field(users_page, store):
    before = count(store, "SELECT count(*) FROM app_user")
    add_user(users_page, "fatima", "Fatima El Amrani", "outreach", "x" * (PASSWORD_MIN - 1))

    message = t("err.password_too_short", min=PASSWORD_MIN)
    assert field_messages(users_page, "users", "password") == [f":red[:material/error: {message}]"]
    assert not users_page.success
    assert users_page.text_input(key="users_username").value == "fatima", "the rest of the form is kept"
    assert users_page.text_input(key="users_password").value == "", "a refused password is not kept"
    assert count(store, "SELECT count(*) FROM app_user") == before


def test_a_taken_username_is_refused(users_page, staff, store):
    before = count(store, "SELECT count(*) FROM app_user")
    add_user(users_page, staff["outreach"].username, "Nog een Olga", "outreach", PASSWORD)
    assert field_messages(users_page, "users", "username") == [f":red[:material/error: {t('err.username_taken')}]"]
    assert count(store, "SELECT count(*) FROM app_user") == before


def test_a_disabled_user_can_no_longer_log_in(users_page, staff):
    olga = staff["outreach"]
    users_page.button(key=f"users_toggle_{olga.username}").click().run()
    assert t("users.disabled") in main_text(users_page.get_by_key(f"users_row_{olga.username}"))
    assert users_page.button(key=f"users_toggle_{olga.username}").label == t("users.enable")

    at = first_run(new_app())
    submit_login(at, olga.username, PASSWORD)
    assert values(at.main, "error") == [t("login.failed")]
    assert values(at.main, "title") == [t("login.title")]

    users_page.button(key=f"users_toggle_{olga.username}").click().run()   # enable again
    submit_login(at, olga.username, PASSWORD)
    assert values(at.main, "title") == [t("home.welcome", name=olga.display_name)]


def test_disabling_a_user_ends_the_session_they_already_have(login, staff, users_page):
    olga_at = login("outreach", "register")
    users_page.button(key=f"users_toggle_{staff['outreach'].username}").click().run()

    olga_at.run()
    assert values(olga_at.main, "title") == [t("login.title")]
