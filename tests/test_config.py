"""Configuration: layered defaults, a generated secret, and every key documented."""
import os
import re

import pytest

from wiki import ROOT, config, create_app


def config_keys():
    """Return the names of the documented defaults."""
    return [name for name in dir(config) if name.isupper()]


def test_every_setting_is_documented_in_the_readme():
    """Each key of wiki/config.py appears in the README as its FAHRPLAN_ variable."""
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as fh:
        readme = fh.read()
    missing = [k for k in config_keys() if not re.search(rf"\bFAHRPLAN_{k}\b", readme)]
    assert not missing


def test_environment_overrides_instance_config_overrides_defaults(tmp_path, monkeypatch):
    """instance/config.py beats the defaults; FAHRPLAN_* beats both; test config beats all."""
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text("STALE_REPORT_DAYS = 30\nSESSION_DAYS = 3\n")
    monkeypatch.setenv("FAHRPLAN_SESSION_DAYS", "7")
    monkeypatch.setenv("FAHRPLAN_READ_WITHOUT_LOGIN", "false")
    app = create_app({"DEFAULT_LANGUAGE": "en"}, instance_path=str(instance))
    assert app.config["STALE_REPORT_DAYS"] == 30
    assert app.config["SESSION_DAYS"] == 7
    assert app.config["READ_WITHOUT_LOGIN"] is False
    assert app.config["DEFAULT_LANGUAGE"] == "en"
    assert app.config["LOGIN_MAX_FAILURES"] == config.LOGIN_MAX_FAILURES


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path):
    """Without a configured key, one is generated, kept private, and reused."""
    first = create_app(instance_path=str(tmp_path))
    second = create_app(instance_path=str(tmp_path))
    key_file = tmp_path / "secret_key"
    assert len(first.config["SECRET_KEY"]) == 64
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"


def test_today_is_in_the_programme_time_zone(app, monkeypatch):
    """Today is the date in FAHRPLAN_TIME_ZONE, not the server's: one function, configurable."""
    import datetime as dt

    from wiki.domain import clock

    moment = dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC)  # already 1 January in Berlin

    class Clock(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return moment.astimezone(tz)

    monkeypatch.setattr(clock.datetime, "datetime", Clock)
    with app.app_context():
        assert clock.today() == dt.date(2027, 1, 1)
        app.config["TIME_ZONE"] = "America/New_York"
        assert clock.today() == dt.date(2026, 12, 31)


def test_an_unknown_time_zone_stops_the_start(tmp_path):
    """A mistyped FAHRPLAN_TIME_ZONE fails at start with the setting's name, not on a page."""
    with pytest.raises(ValueError, match="FAHRPLAN_TIME_ZONE"):
        create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
                    "SECRET_KEY": "t", "TIME_ZONE": "Europe/Bergisch"},
                   instance_path=str(tmp_path / "instance"))
