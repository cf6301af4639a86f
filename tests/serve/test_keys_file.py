"""Keys the server makes for a run are secrets: a private file, never the terminal or a log."""

from __future__ import annotations


def test_generated_keys_go_to_a_private_file_not_the_terminal(tmp_path):
    import stat

    from recreason.serve.run import write_keys

    path = write_keys({"RECREASON_ADMIN_KEYS": "s3cret"}, tmp_path / "serve-keys.env")
    assert path.read_text() == "RECREASON_ADMIN_KEYS=s3cret\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
