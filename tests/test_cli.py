import subprocess
import sys

import pandas as pd
import pytest

from toolkit.cli import main


def test_help_lists_subcommands(capsys):
    with pytest.raises(SystemExit) as e:
        main(["--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert "cube" in out and "fetch" in out and "report" in out


def test_python_m_toolkit_help_runs():
    r = subprocess.run([sys.executable, "-m", "toolkit", "--help"], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0 and "usage: toolkit" in r.stdout


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_cube_writes_file(tmp_path, suffix, capsys):
    out = tmp_path / f"cube{suffix}"
    assert main(["cube", "--source", "demo", "--start", "2022-02-20", "--end", "2022-02-28",
                 "--out", str(out)]) == 0
    df = pd.read_csv(out, dtype={"root_code": str}) if suffix == ".csv" else pd.read_parquet(out)
    assert len(df) > 0 and df["date"].astype(str).str[:10].between("2022-02-20", "2022-02-28").all()
    assert df["root_code"].str.len().eq(2).all()
    assert "SYNTHETIC" in capsys.readouterr().out


def test_cube_totals(tmp_path):
    out = tmp_path / "t.csv"
    assert main(["cube", "--source", "demo", "--totals", "--start", "2022-02-01", "--end",
                 "2022-02-07", "--out", str(out)]) == 0
    assert len(pd.read_csv(out)) == 7


@pytest.mark.parametrize("args, message", [
    (["--start", "2022-03-01", "--end", "2022-02-01"], "is after end"),
    (["--start", "yesterday"], "is not a date"),
    (["--actors", "RUS,ZZZ"], "Unknown actor code 'ZZZ'"),
    (["--source", "local"], "toolkit fetch events"),
])
def test_cube_bad_input_one_line_exit_2(tmp_path, capsys, args, message):
    code = main(["cube", *args, "--out", str(tmp_path / "x.csv")])
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1
    assert not (tmp_path / "x.csv").exists()


def test_cube_rejects_unknown_output_format(tmp_path, capsys):
    assert main(["cube", "--source", "demo", "--out", str(tmp_path / "x.xlsx")]) == 2
    assert "--out must end in .csv or .parquet" in capsys.readouterr().err


def test_an_unknown_flag_is_one_line_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["cube", "--out", "x.csv", "--bogus"])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and err.count("\n") == 1
    assert "unrecognized arguments: --bogus" in err and "--help)" in err


def test_os_errors_are_one_line_but_bugs_keep_their_traceback(tmp_path, capsys, monkeypatch):
    """The last-resort handler covers the file system only: a bug is not hidden."""
    import toolkit.commands.cube as cube_cmd

    def denied(args):
        raise PermissionError(13, "Permission denied", str(tmp_path / "cache"))

    monkeypatch.setattr(cube_cmd, "run", denied)
    code = main(["cube", "--source", "demo", "--out", str(tmp_path / "x.csv")])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1
    assert f"Permission denied: {tmp_path / 'cache'}" in err

    def bug(args):
        raise TypeError("a bug")

    monkeypatch.setattr(cube_cmd, "run", bug)
    with pytest.raises(TypeError, match="a bug"):
        main(["cube", "--source", "demo", "--out", str(tmp_path / "x.csv")])
