"""Reading a user's file: every bad file is one clear InputError (or a ShapeError with a Problem per value), never a
traceback, a hang or a silently dropped value."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from raywizard.cli.main import main
from raywizard.documents.loading import MAX_FILE_BYTES, read_values
from raywizard.documents.presets import bundled_dir
from raywizard.documents.shape_check import ShapeError
from raywizard.documents.workspace import Workspace
from raywizard.model.errors import InputError

GUIDE = bundled_dir() / "argocd-guide.yaml"

BOMB = "\n".join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]" for p, c in zip("abcdefg", "bcdefgh", strict=True)]
) + "\n"


def _write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path


@pytest.mark.parametrize(("data", "expected"), [
    (b"head:\n  x: caf\xe9\n", "is not UTF-8: byte 0xe9 at line 2, column 9 (offset 14)"),
    ("head: {}\n".encode("utf-16"), "is UTF-16 text; raywizard reads UTF-8"),
    (codecs.BOM_UTF32_LE + "a: 1\n".encode("utf-32-le"), "is UTF-32 text"),
    (b"\x7fELF\x02\x01\x01\x00\x00\x00", "is not a text file"),
    (b"a: 1\na: 2\n", 'line 2, column 1 is not valid YAML: found duplicate key "a"'),
    (b"a: [1, 2\n", "is not valid YAML"),
    (BOMB.encode(), "its aliases expand to more than 500,000 values (an alias bomb?)"),
    (b"[" * 150 + b"]" * 150, "nested more than 100 levels deep"),
    (b"[" * 20000 + b"]" * 20000, "nested too deeply"),
])
def test_unreadable_files_are_one_clear_error_everywhere(tmp_path: Path, data: bytes, expected: str) -> None:
    path = _write(tmp_path, "bad.yaml", data)
    for load in (lambda: Workspace.load([path]), lambda: read_values(path)):
        with pytest.raises(InputError) as caught:
            load()
        assert expected in str(caught.value)
        assert str(path) in str(caught.value)


def test_a_utf8_byte_order_mark_is_fine(tmp_path: Path) -> None:
    path = _write(tmp_path, "values.yaml", codecs.BOM_UTF8 + b"worker:\n  replicas: 2\n")
    assert read_values(path) == {"worker": {"replicas": 2}}


def test_oversized_and_missing_files(tmp_path: Path) -> None:
    big = _write(tmp_path, "big.yaml", b"# x\n" * (MAX_FILE_BYTES // 4 + 1))
    with pytest.raises(InputError, match="larger than 4 MiB"):
        Workspace.load([big])
    with pytest.raises(InputError, match="no such file"):
        Workspace.load([tmp_path / "missing.yaml"])
    with pytest.raises(InputError, match="is a directory"):
        read_values(tmp_path)


@pytest.mark.parametrize(("edit", "path", "found", "expected"), [
    (("spec", "syncPolicy", "syncOptions", "CreateNamespace=true"), "spec.syncPolicy.syncOptions",
     "a string ('CreateNamespace=true')", "a list of strings"),
    (("spec", "syncPolicy", "syncOptions", 3), "spec.syncPolicy.syncOptions", "a number (3)", "a list of strings"),
    (("spec", "syncPolicy", "auto"), "spec.syncPolicy", "a string ('auto')", "a mapping"),
    (("spec", "destination", True), "spec.destination", "a boolean (true)", "a mapping"),
    (("metadata", []), "metadata", "a list", "a mapping"),
    (("spec", "source", "helm", []), "spec.source.helm", "a list", "a mapping"),
    (("spec", "source", "helm", "valuesObject", "worker", [1, 2]), "spec.source.helm.valuesObject.worker",
     "a list", "a mapping"),
    (("spec", "source", "helm", "valuesObject", "head", "x"), "spec.source.helm.valuesObject.head",
     "a string ('x')", "a mapping"),
    (("spec", "source", "helm", "valuesObject", "additionalWorkerGroups", ["a"]),
     "spec.source.helm.valuesObject.additionalWorkerGroups", "a list", "a mapping"),
    (("spec", "source", "helm", "valuesObject", "head", "autoscalerOptions", "env", 7),
     "spec.source.helm.valuesObject.head.autoscalerOptions.env", "a number (7)", "a list of mappings"),
    (("spec", "syncPolicy", "automated", "prune", "false"), "spec.syncPolicy.automated.prune",
     "a string ('false')", "true or false"),
])
def test_wrong_types_in_an_application_are_problems_with_path_found_and_expected(
    tmp_path: Path, edit: tuple[str, ...], path: str, found: str, expected: str
) -> None:
    from raywizard.documents.roundtrip_yaml import dump_documents, parse_documents

    docs = parse_documents(GUIDE.read_text(encoding="utf-8"))
    cluster = docs[-1]
    *keys, last, value = edit
    node = cluster
    for key in keys:
        node = node.setdefault(key, {}) if isinstance(node.get(key), dict) or key not in node else node[key]
    node[last] = value
    bad = _write(tmp_path, "apps.yaml", dump_documents(docs))
    with pytest.raises(ShapeError) as caught:
        Workspace.load([bad])
    (problem,) = caught.value.problems
    assert problem.path == f"document 3: {path}"
    assert problem.message == f"found {found}, expected {expected}"


def test_wrong_types_in_a_values_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "values.yaml", 'head: "x"\nworker:\n  disabled: "false"\n  rayStartParams: [1]\n'
                                           "additionalWorkerGroups:\n  gpu: 3\n")
    with pytest.raises(ShapeError) as caught:
        read_values(path)
    assert [(p.path, p.message) for p in caught.value.problems] == [
        ("head", "found a string ('x'), expected a mapping"),
        ("worker.disabled", "found a string ('false'), expected true or false"),
        ("worker.rayStartParams", "found a list, expected a mapping"),
        ("additionalWorkerGroups.gpu", "found a number (3), expected a mapping"),
    ]
    with pytest.raises(ShapeError):
        Workspace.load([path])


def test_keys_raywizard_does_not_read_are_not_checked(tmp_path: Path) -> None:
    path = _write(tmp_path, "values.yaml", "head:\n  containerEnv: 7\n  labels: [odd]\nsomething: [1]\n")
    assert read_values(path)["something"] == [1]


def test_unknown_kinds_and_manifests_passed_as_values(tmp_path: Path) -> None:
    config_map = _write(tmp_path, "cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
    with pytest.raises(InputError, match="found ConfigMap"):
        Workspace.load([config_map])
    with pytest.raises(InputError, match=r"Kubernetes manifest \(kind: ConfigMap\), not chart values"):
        read_values(config_map)
    listing = _write(tmp_path, "list.yaml", "- 1\n- 2\n")
    with pytest.raises(ShapeError, match="found a list, expected a mapping"):
        Workspace.load([listing])


def test_validate_lists_wrong_types_as_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, "values.yaml", "worker:\n  replicas: 1\n  resources: big\n")
    assert main(["validate", "--values", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"error  {path}: worker.resources: found a string ('big'), expected a mapping" in out
    assert main(["render", "--values", str(path)]) == 2
    assert "worker.resources: found a string ('big'), expected a mapping" in capsys.readouterr().err


def test_plain_scalars_are_read_as_helm_reads_them(tmp_path: Path) -> None:
    from raywizard.documents.roundtrip_yaml import load_plain

    text = ("a: yes\nb: Off\nc: y\nd: 010\ne: -07\nf: 09\ng: 2024-01-01\nh: 'yes'\ni: \"010\"\n"
            "j: [on, 0o17, 0x1F]\nanchor: &x {k: no}\nmerged:\n  <<: *x\n  other: 1\n")
    assert load_plain(text) == {
        "a": True, "b": False, "c": True, "d": 8, "e": -7, "f": 9, "g": "2024-01-01", "h": "yes", "i": "010",
        "j": [True, 15, 31], "anchor": {"k": False}, "merged": {"other": 1, "k": False},
    }


def test_a_byte_order_mark_is_written_back(tmp_path: Path) -> None:
    from raywizard.documents.workspace import Workspace
    from raywizard.fields.set_paths import set_path

    path = tmp_path / "values.yaml"
    path.write_bytes(b"\xef\xbb\xbfimage:\n  tag: 2.46.0\nworker:\n  replicas: 2\n")
    workspace = Workspace.load([path])
    assert workspace.render()[path] == path.read_text(encoding="utf-8")
    set_path(workspace.spec, "image.tag", "2.49.1")
    assert workspace.render()[path] == "\ufeffimage:\n  tag: 2.49.1\nworker:\n  replicas: 2\n"
