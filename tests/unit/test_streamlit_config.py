"""The shipped .streamlit/config.toml keeps Streamlit's safe settings (README, "Configuration")."""
import tomllib
from pathlib import Path

CONFIG = tomllib.loads((Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml").read_text("utf-8"))


def test_no_error_details_or_usage_stats_reach_anyone():
    assert CONFIG["client"]["showErrorDetails"] == "none"
    assert CONFIG["client"]["toolbarMode"] == "viewer"
    assert CONFIG["browser"]["gatherUsageStats"] is False


def test_server_refuses_cross_site_requests_and_serves_no_static_files():
    assert CONFIG["server"]["enableXsrfProtection"] is True
    assert CONFIG["server"]["enableStaticServing"] is False
    assert 0 < CONFIG["server"]["maxUploadSize"] <= 25


def test_magic_is_off():
    assert CONFIG["runner"]["magicEnabled"] is False


def test_tracebacks_go_through_the_log_filter_not_rich():
    """A rich traceback is printed past crm_app/ui/logsafe.py's filter, database values and all."""
    assert CONFIG["logger"]["enableRich"] is False


def test_tables_offer_no_download_of_their_own():
    """Exports go through crm_app.privacy.exports (audited, formula-safe), never a table's own button."""
    assert CONFIG["client"]["disableDataExport"] is True
