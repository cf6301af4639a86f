"""Keys the server makes for a run are secrets: a private file, never the terminal or a log."""

from __future__ import annotations


def test_generated_keys_go_to_a_private_file_not_the_terminal(tmp_path):
    import stat

    from recreason.serve.run import write_keys

    path = write_keys({"RECREASON_ADMIN_KEYS": "s3cret"}, tmp_path / "serve-keys.env")
    assert path.read_text() == "RECREASON_ADMIN_KEYS=s3cret\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_server_limits_connections_and_keeps_keys_off_the_terminal(tmp_path, monkeypatch):
    import uvicorn

    from recreason.serve import app as app_module
    from recreason.serve import run as run_module
    from recreason.serve.settings import Settings

    seen, said = {}, []
    monkeypatch.setattr(run_module, "check", lambda settings: None)
    monkeypatch.setattr(app_module, "create_app", lambda settings: "app")
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(kw))
    settings = Settings(workspace=tmp_path, max_connections=7, event_keys=[], admin_keys=[])
    run_module.run(settings, echo=said.append)
    assert seen["limit_concurrency"] == 7
    keys = (tmp_path / "serve-keys.env").read_text()
    assert settings.admin_keys[0] in keys and not any(settings.admin_keys[0] in line for line in said)
