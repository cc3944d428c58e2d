"""`--portraits DIR`: who is in each photo, the identity split and the option checks
(no MediaPipe needed: nothing here meshes a face)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from flowmark_core.cli.main import main
from flowmark_core.data.synthetic.portrait_cache import face_yaw
from flowmark_core.data.synthetic.portrait_folder import (
    Portrait,
    collect_portraits,
    read_identity_list,
)
from flowmark_core.data.synthetic.portrait_split import split_portraits
from flowmark_core.errors import InputFileError

REAL_PORTRAITS = Path(__file__).resolve().parents[3] / "../shared/data/real-faces/portraits"


def _touch(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not decoded here")


def _folder(root: Path) -> Path:
    """A manifest above the portraits folder; labelled, `unknown` and unlisted files."""
    for name in ("a/ann1.jpg", "a/ann2.PNG", "b/bob.jpeg", "b/x.jpg", "b/y.png", "b/.hidden.jpg"):
        _touch(root / "portraits" / name)
    (root / "portraits" / "b" / "notes.txt").write_text("not a portrait")
    rows = [
        ("portraits/a/ann1.jpg", "Ann Lee", "r1"),
        ("portraits/a/ann2.PNG", "Ann Lee", "r2"),
        ("portraits/b/bob.jpeg", "Bob#1", "r1"),
        ("portraits/b/x.jpg", "unknown", "r3"),
        ("clips/c.mp4", "Ann Lee", "r1"),
    ]
    text = "file\tidentity\tsource_repo\n" + "".join("\t".join(r) + "\n" for r in rows)
    (root / "manifest.tsv").write_text(text)
    return root / "portraits"


def test_identities_come_from_the_manifest_above_and_unknown_is_its_own_person(
    tmp_path: Path,
) -> None:
    found = collect_portraits(_folder(tmp_path))
    assert [(p.name, p.identity) for p in found] == [
        ("a/ann1.jpg", "Ann-Lee"),
        ("a/ann2.PNG", "Ann-Lee"),
        ("b/bob.jpeg", "Bob-1"),
        ("b/x.jpg", "unknown-b-x.jpg"),
        ("b/y.png", "unknown-b-y.png"),  # not in the manifest: its own person too
    ]


def test_a_folder_without_portraits_or_manifest_columns_is_one_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputFileError, match="no portraits found"):
        collect_portraits(tmp_path / "empty")
    with pytest.raises(InputFileError, match="no such folder"):
        collect_portraits(tmp_path / "missing")
    _touch(tmp_path / "p" / "a.jpg")
    (tmp_path / "p" / "manifest.tsv").write_text("path\twho\nportraits/a.jpg\tA\n")
    with pytest.raises(InputFileError, match="columns file, identity, source_repo"):
        collect_portraits(tmp_path / "p")


def test_excluded_identities_from_a_list_a_file_or_a_prepared_manifest(tmp_path: Path) -> None:
    assert read_identity_list("Ann Lee, Bob#1,,") == {"Ann-Lee", "Bob-1"}
    listed = tmp_path / "ids.txt"
    listed.write_text("# held out\nAnn Lee\nCid, Dee  # two\n\n")
    assert read_identity_list(str(listed)) == {"Ann-Lee", "Cid", "Dee"}
    prepared = tmp_path / "manifest.tsv"
    prepared.write_text("clip\tsplit\tidentity\nc1\ttest\tMEAD-M030\nc2\ttrain\tAnn\nc3\ttest\tX\n")
    assert read_identity_list(str(prepared)) == {"MEAD-M030", "X"}
    with pytest.raises(InputFileError, match="no such file"):
        read_identity_list(str(tmp_path / "missing.txt"))
    table = tmp_path / "t.tsv"
    table.write_text("who\tsplit\nA\ttest\n")
    with pytest.raises(InputFileError, match="no 'identity' column"):
        read_identity_list(str(table))


def _people(counts: dict[str, int]) -> list[Portrait]:
    return [
        Portrait(Path(f"/p/{who}{k}.jpg"), f"{who}{k}.jpg", who)
        for who, n in counts.items()
        for k in range(n)
    ]


def test_split_keeps_whole_identities_apart_and_is_seeded() -> None:
    people = _people({f"p{i:02d}": 1 + i % 3 for i in range(20)})
    a = split_portraits(people, seed=4, test_fraction=0.25, want_test=True)
    assert len(a.identities["test"]) == 5 and len(a.identities["train"]) == 15
    assert not set(a.identities["test"]) & set(a.identities["train"])
    for split, order in a.order.items():
        assert {p.identity for p in order} == set(a.identities[split])
    assert sum(len(o) for o in a.order.values()) == len(people)
    same = split_portraits(list(reversed(people)), seed=4, test_fraction=0.25, want_test=True)
    assert same.identities == a.identities  # the order on disk does not matter
    other = split_portraits(people, seed=5, test_fraction=0.25, want_test=True)
    assert set(other.identities["test"]) != set(a.identities["test"])
    everyone = split_portraits(people, seed=4, test_fraction=0.25, want_test=False)
    assert everyone.identities["test"] == [] and len(everyone.order["train"]) == len(people)


def test_photos_are_used_round_robin_over_people() -> None:
    split = split_portraits(_people({"a": 3, "b": 1, "c": 2}), 0, 0.0, want_test=False)
    order = split.identities["train"]
    names = [p.name for p in split.order["train"]]
    firsts = [f"{who}0.jpg" for who in order]
    assert names[:3] == firsts  # one photo of everyone before anyone's second
    assert names[3:] == [f"{w}1.jpg" for w in order if w != "b"] + ["a2.jpg"]


def test_one_identity_cannot_fill_a_test_split() -> None:
    with pytest.raises(ValueError, match="two identities"):
        split_portraits(_people({"a": 3}), 0, 0.2, want_test=True)


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["--family", "faces", "--portraits", "{dir}"], "--portraits needs --family faces-photo"),
        (["--family", "faces-photo", "--exclude-identities", "A"], "needs --portraits"),
        (["--family", "faces-photo", "--portraits", "{dir}/missing"], "no such folder"),
        (
            ["--family", "faces-photo", "--portraits", "{dir}/portraits", "--exclude-identities",
             "Ann Lee,Bob#1,unknown-b-x.jpg,unknown-b-y.png"],
            "every portrait's identity is in --exclude-identities",
        ),
        (
            ["--family", "faces-photo", "--portraits", "{dir}/portraits/a", "--videos", "4"],
            "every portrait shows one identity",
        ),
    ],
)  # fmt: skip
def test_bad_portrait_options_are_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], needle: str
) -> None:
    _folder(tmp_path)
    out = tmp_path / "set"
    args = ["data", "synth", "--videos", "2", "--frames", "2", "--size", "64", str(out)]
    code = main(args + [e.replace("{dir}", str(tmp_path)) for e in extra])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and needle in err[0], err
    assert not out.exists()


def test_the_real_faces_folder_has_hundreds_of_identities() -> None:
    if not REAL_PORTRAITS.is_dir():
        pytest.skip(f"{REAL_PORTRAITS} is not here (third-party, outside git)")
    found = collect_portraits(REAL_PORTRAITS)
    identities = {p.identity for p in found}
    # README: 605 photos, 124 named identities, 282 photos without a label.
    assert len(found) == 605
    assert len(identities) == 124 + 282
    assert sum(p.identity == "Barack_Obama" for p in found) == 12
    split = split_portraits(found, seed=0, test_fraction=0.15, want_test=True)
    assert len(split.identities["test"]) == round(406 * 0.15)


@pytest.mark.parametrize("degrees", [40.0, -20.0, 0.0])
def test_face_yaw_is_the_turn_of_the_eye_line(degrees: float) -> None:
    a = np.radians(degrees)
    mesh = np.zeros((478, 3))
    # Outer eye corners 60 px apart, turned about the vertical axis (z away from the camera).
    mesh[33] = (-30 * np.cos(a), 5.0, 30 * np.sin(a))
    mesh[263] = (30 * np.cos(a), 5.0, -30 * np.sin(a))
    assert face_yaw(mesh) == pytest.approx(degrees, abs=1e-9)
