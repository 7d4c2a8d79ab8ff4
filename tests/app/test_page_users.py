"""Staff accounts (administrators): add, refuse a short password; pick an account in the table to change
its role, reset its password, disable or enable it — never one's own role, never the last administrator."""
import pytest
from apptest_kit import (
    PASSWORD,
    account_row,
    count,
    field_messages,
    first_run,
    main_text,
    new_app,
    pick_row,
    submit_login,
    t,
    values,
)

from crm_app.access.users import PASSWORD_MIN
from crm_app.ui.text import label


@pytest.fixture
def users_page(login):
    return login("admin", "users")


def add_user(at, username, display_name, role, password):
    at.text_input(key="users_username").input(username)
    at.text_input(key="users_display_name").input(display_name)
    at.selectbox(key="users_role").set_value(role)
    at.text_input(key="users_password").input(password)
    return at.button(key="users_submit").click().run()


def pick(at, store, username):
    return pick_row(at, "users_table", account_row(store, username))


def test_lists_every_account_with_its_role_in_one_table(users_page, staff):
    table = users_page.get_by_key("users_table").value
    for member in staff.values():
        assert member.display_name in set(table[t("field.display_name")])
        assert label("role", member.role) in set(table[t("field.role")])
    assert [b.key for b in users_page.main.button] == ["users_submit"], "no button per row: pick an account first"


def test_ones_own_account_offers_no_role_change_and_no_disable(users_page, staff, store):
    pick(users_page, store, staff["admin"].username)
    assert values(users_page.main, "caption")[-1] == t("users.own_account")
    keys = {b.key for b in users_page.button}
    assert "users_change_role" not in keys and "users_toggle" not in keys
    assert "users_set_password" in keys


def test_the_last_login_is_labelled(users_page, staff):
    """A bare date beside an account said nothing: the column says it is the last login, or that there was none."""
    from crm_app.core import formats
    from crm_app.ui.resources import get_store
    with get_store().read() as cur:
        last = cur.execute("SELECT last_login_utc FROM app_user WHERE username = ?", [staff["admin"].username]).fetchone()[0]
    assert last is not None
    table = users_page.dataframe[0].value
    shown = dict(zip(table[t("field.username")], table[t("users.col.last_login")], strict=True))
    assert shown[staff["admin"].username] == formats.datetime(last, "nl")
    assert shown[staff["kiosk"].username] == t("users.never_logged_in")


def test_add_a_user_who_can_then_log_in(users_page, store):
    add_user(users_page, "Fatima", "Fatima El Amrani", "coordinator", "een lang genoeg wachtwoord")

    assert values(users_page.main, "success") == [t("users.added", username="fatima")]
    assert "fatima" in set(users_page.get_by_key("users_table").value[t("field.username")])
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


def test_a_disabled_user_can_no_longer_log_in(users_page, staff, store):
    olga = staff["outreach"]
    pick(users_page, store, olga.username)
    users_page.button(key="users_toggle").click().run()
    assert values(users_page.main, "warning") == [t("users.confirm_disable", username=olga.username)]
    assert count(store, "SELECT count(*) FROM app_user WHERE disabled") == 0, "nothing happens before the confirmation"
    users_page.button(key="users_disable_confirm").click().run()
    assert values(users_page.main, "success") == [t("users.was_disabled", username=olga.username)]
    assert users_page.button(key="users_toggle").label == t("users.enable")

    at = first_run(new_app())
    submit_login(at, olga.username, PASSWORD)
    assert values(at.main, "error") == [t("login.failed")]
    assert values(at.main, "title") == [t("login.title")]

    users_page.button(key="users_toggle").click().run()   # enable again: no question
    assert values(users_page.main, "success") == [t("users.was_enabled", username=olga.username)]
    submit_login(at, olga.username, PASSWORD)
    assert values(at.main, "title") == [t("home.welcome", name=olga.display_name)]


def test_disabling_can_be_cancelled(users_page, staff, store):
    pick(users_page, store, staff["outreach"].username)
    users_page.button(key="users_toggle").click().run()
    users_page.button(key="users_disable_cancel").click().run()
    assert not users_page.warning
    assert count(store, "SELECT count(*) FROM app_user WHERE disabled") == 0


def test_disabling_a_user_ends_the_session_they_already_have(login, staff, users_page, store):
    olga_at = login("outreach", "register")
    pick(users_page, store, staff["outreach"].username)
    users_page.button(key="users_toggle").click().run()
    users_page.button(key="users_disable_confirm").click().run()

    olga_at.run()
    assert values(olga_at.main, "title") == [t("login.title")]


def test_a_role_change_takes_effect_at_the_users_next_click(login, users_page, staff, store):
    olga = staff["outreach"]
    olga_at = login("outreach", "register")
    pick(users_page, store, olga.username)
    assert users_page.selectbox(key="users_new_role").value == "outreach"
    users_page.selectbox(key="users_new_role").set_value("program_manager")
    users_page.button(key="users_change_role").click().run()

    assert values(users_page.main, "success") == [
        t("users.role_changed", username=olga.username, role=label("role", "program_manager"))]
    with store.read() as cur:
        assert cur.execute("SELECT role FROM app_user WHERE username = ?", [olga.username]).fetchone() == (
            "program_manager",)
        assert cur.execute("SELECT count(*) FROM audit_event WHERE action = 'user.role' AND origin = 'web'"
                           ).fetchone() == (1,)
    olga_at.run()                                 # her next click: the navigation of her new role
    olga_at.switch_page("pages/fill.py").run()   # a program manager's screen, refused to outreach
    assert t("app.no_access") not in values(olga_at.main, "error"), "the new role counts at once"


def test_a_typed_password_is_set_and_never_shown_back(users_page, staff, store):
    olga = staff["outreach"]
    pick(users_page, store, olga.username)
    new_password = "een heel ander wachtwoord"
    users_page.text_input(key="users_new_password").input(new_password)
    users_page.button(key="users_set_password").click().run()

    assert values(users_page.main, "success") == [t("users.password_set", username=olga.username)]
    assert users_page.text_input(key="users_new_password").value == ""
    assert new_password not in main_text(users_page)
    at = first_run(new_app())
    submit_login(at, olga.username, PASSWORD)
    assert values(at.main, "error") == [t("login.failed")], "the old password no longer works"
    submit_login(at, olga.username, new_password)
    assert values(at.main, "title") == [t("home.welcome", name=olga.display_name)]


def test_a_too_short_reset_password_is_refused(users_page, staff, store):
    pick(users_page, store, staff["outreach"].username)
    users_page.text_input(key="users_new_password").input("kort")
    users_page.button(key="users_set_password").click().run()
    assert values(users_page.main, "error") == [
        f"{t('field.password')}: {t('err.password_too_short', min=PASSWORD_MIN)}"]
    assert count(store, "SELECT count(*) FROM audit_event WHERE action = 'user.passwd'") == 0


def test_a_generated_password_is_shown_once_and_logs_in(users_page, staff, store):
    olga = staff["outreach"]
    pick(users_page, store, olga.username)
    users_page.button(key="users_generate_password").click().run()

    shown = [e.value for e in users_page.main.code]
    assert len(shown) == 1 and len(shown[0]) >= PASSWORD_MIN
    assert values(users_page.main, "info") == [t("users.generated_once")]
    users_page.run()
    assert not users_page.main.code, "shown once: gone at the next run"

    at = first_run(new_app())
    submit_login(at, olga.username, shown[0])
    assert values(at.main, "title") == [t("home.welcome", name=olga.display_name)]
