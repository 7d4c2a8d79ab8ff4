"""Find a person by part of a name, a phone number in any notation, or an email in any case."""
import pytest
from apptest_kit import open_page, page_links, pick_row, t, values

from crm_app.people import persons
from crm_app.people.sources import SourceInput
from crm_app.people.validation import PersonInput


def add_person(store, actor, **fields) -> int:
    data = PersonInput(**fields, consent_contact=bool(fields.get("phone") or fields.get("email")))
    result = persons.register(store, actor, data, SourceInput(kind="market", source_name="Markt Oost"),
                              confirmed_new=True)
    return result.person_id


@pytest.fixture
def people(store, staff):
    actor = staff["outreach"].as_user().actor()
    return {
        "amal": add_person(store, actor, given_name="Amal", family_name="Haddad", phone="0944 123 456",
                           phone_country="SY", email="Amal.Haddad@Example.org"),
        "samir": add_person(store, actor, given_name="Samir", family_name="Yousef", phone="06 12345678"),
        "yusuf": add_person(store, actor, given_name="Yusuf", family_name="Demir"),
    }


@pytest.fixture
def find(login, people):
    return login("outreach", "find")


def search(at, text):
    at.text_input(key="find_query").input(text).run()
    tables = [e for e in at.main if getattr(e, "key", None) == "find_table"]
    return set(tables[0].value[t("find.col.number")]) if tables else set()


@pytest.mark.parametrize("text, who", [
    ("hadd", "amal"),                       # part of the family name
    ("AMAL", "amal"),                       # any case
    ("amal hadd", "amal"),                  # parts of both names
    ("00963 944 123 456", "amal"),          # stored +963944123456
    ("+963 944-123-456", "amal"),
    ("0612345678", "samir"),                # stored +31612345678
    ("+31 (0)6 1234 5678", "samir"),
    ("amal.haddad@EXAMPLE.ORG", "amal"),    # email in another case
    ("AMAL.HADDAD@example.org", "amal"),
])
def test_finds_the_one_person_and_links_to_their_page(find, people, text, who):
    assert search(find, text) == {people[who]}
    person_id = people[who]
    assert page_links(find.main) == [], "nothing picked yet"
    pick_row(find, "find_table", 0)
    links = page_links(find.get_by_key("find_selected"))
    assert len(links) == 1
    label, url_path, query = links[0]
    assert url_path == "person" and query == f"id={person_id}"
    assert f"#{person_id}" in label
    assert values(find.main, "caption")[0] == t("find.count", count=1)


def test_part_of_a_name_can_match_several(find, people):
    assert search(find, "y") == {people["samir"], people["yusuf"]}   # Yousef and Yusuf


def test_nothing_found_says_so(find):
    assert search(find, "Zeynep") == set()
    assert values(find.main, "info") == [t("find.none")]


def test_the_phone_number_dials_on_a_tap(find, people):
    search(find, "0612345678")
    [table] = [e for e in find.main if getattr(e, "key", None) == "find_table"]
    assert list(table.value[t("list.col.call")]) == ["tel:+31-6-12345678"]
    assert list(table.value[t("list.col.phone")]) == ["+31 6 12345678"]


def test_the_link_opens_the_person_page(find, people):
    search(find, "hadd")
    pick_row(find, "find_table", 0)
    assert page_links(find.get_by_key("find_selected"))[0][2] == f"id={people['amal']}"
    open_page(find, "person", query={"id": str(people["amal"])})
    assert values(find.main, "title") == ["Amal Haddad"]
