"""`raywizard commit` in a real git clone of a bare repository: files written per Application or edited in place,
the generated message, the push, and the refusals that leave the clone exactly as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from raywizard.cli import main as cli
from raywizard.documents.commit_message import commit_message, field_label
from tests.cluster.gitops_helpers import Repos, git, make_repos

CHILDREN = ("ray-operator-crds.yaml", "ray-operator.yaml", "raycluster.yaml")


@pytest.fixture
def repos(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repos:
    made = make_repos(tmp_path)
    # The user's identity comes from their git configuration; here the clone's own.
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    return made


def commit(repos: Repos, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = cli.main(["commit", "--repo", str(repos.clone), "--path", "ray", *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def snapshot(repos: Repos) -> tuple[str, str, dict[str, str]]:
    files = {str(p.relative_to(repos.clone)): p.read_text(encoding="utf-8")
             for p in sorted(repos.clone.rglob("*")) if p.is_file() and ".git" not in p.parts}
    return git(repos.clone, "rev-parse", "HEAD"), git(repos.clone, "status", "--porcelain"), files


def test_first_commit_writes_one_file_per_application_and_pushes(repos: Repos, capsys: pytest.CaptureFixture[str]
                                                                   ) -> None:
    code, out, err = commit(repos, capsys, "--preset", "argocd-guide", "--push")
    assert code == 0, err
    assert sorted(p.name for p in (repos.clone / "ray").iterdir()) == sorted(CHILDREN)
    assert "+++ b/ray/raycluster.yaml" in out  # the diff, shown before the commit
    assert f"pushing to origin ({repos.bare}) branch main" in err
    subject = git(repos.clone, "log", "-1", "--format=%s").strip()
    assert subject == "add Applications ray-operator-crds, ray-operator, raycluster"
    assert repos.head() == git(repos.clone, "rev-parse", "HEAD").strip()
    assert f"pushed {repos.head()[:7]} to origin/main" in err
    assert git(repos.clone, "status", "--porcelain") == ""  # no .bak or temp file left behind


def test_a_set_edits_the_files_in_place_and_the_message_says_what_changed(
        repos: Repos, capsys: pytest.CaptureFixture[str]) -> None:
    assert commit(repos, capsys, "--preset", "argocd-guide", "--push")[0] == 0
    path = repos.clone / "ray" / "raycluster.yaml"
    text = path.read_text(encoding="utf-8").replace("maxReplicas: 200", "maxReplicas: 200  # our peak")
    path.write_text("# reviewed by the platform team\n" + text, encoding="utf-8")
    git(repos.clone, "commit", "-qam", "comments")
    code, out, err = commit(repos, capsys, "--set", "workerGroups.standard-worker.maxReplicas=8", "--push")
    assert code == 0, err
    # The comment stays, in its column.
    assert "-          maxReplicas: 200  # our peak" in out and "+          maxReplicas: 8    # our peak" in out
    assert git(repos.clone, "log", "-1", "--format=%s").strip() == "raycluster: standard-worker maxReplicas 200 → 8"
    new = path.read_text(encoding="utf-8")
    assert new.startswith("# reviewed by the platform team\n")
    old_lines, new_lines = ("# reviewed by the platform team\n" + text).splitlines(), new.splitlines()
    assert len(old_lines) == len(new_lines)
    assert [(a, b) for a, b in zip(old_lines, new_lines, strict=True) if a != b] == [
        ("          maxReplicas: 200  # our peak", "          maxReplicas: 8    # our peak")]
    assert git(repos.bare, "log", "-1", "--format=%s", "main").strip().startswith("raycluster:")


def test_nothing_to_commit_and_a_given_message(repos: Repos, capsys: pytest.CaptureFixture[str]) -> None:
    assert commit(repos, capsys, "--preset", "argocd-guide")[0] == 0
    before = snapshot(repos)
    code, _out, err = commit(repos, capsys)
    assert code == 0 and "nothing to commit: ray/ already holds these Applications" in err
    assert snapshot(repos) == before
    code, _out, err = commit(repos, capsys, "-m", "ray: smaller", "--set", "workerGroups.standard-worker.maxReplicas=4")
    assert code == 0, err
    assert git(repos.clone, "log", "-1", "--format=%B").strip() == "ray: smaller"


def test_changes_outside_the_path_are_refused_and_nothing_is_written(
        repos: Repos, capsys: pytest.CaptureFixture[str]) -> None:
    (repos.clone / "README.md").write_text("edited\n", encoding="utf-8")
    (repos.clone / "notes.txt").write_text("untracked\n", encoding="utf-8")
    before = snapshot(repos)
    code, _out, err = commit(repos, capsys, "--preset", "argocd-guide", "--push")
    assert code == 2
    assert "the working tree has changes outside ray/: M README.md, ?? notes.txt; nothing was written" in err
    assert "git stash -u" in err
    assert snapshot(repos) == before


def test_a_detached_head_is_refused(repos: Repos, capsys: pytest.CaptureFixture[str]) -> None:
    git(repos.clone, "checkout", "-q", "--detach")
    before = snapshot(repos)
    code, _out, err = commit(repos, capsys, "--preset", "argocd-guide")
    assert code == 2 and "HEAD is detached" in err and "git switch main" in err
    assert snapshot(repos) == before


def test_push_without_an_upstream_is_refused(repos: Repos, capsys: pytest.CaptureFixture[str]) -> None:
    git(repos.clone, "checkout", "-q", "-b", "feature")
    before = snapshot(repos)
    code, _out, err = commit(repos, capsys, "--preset", "argocd-guide", "--push")
    assert code == 2 and "branch feature has no upstream" in err and "git push -u origin feature" in err
    assert snapshot(repos) == before


def test_a_failed_push_undoes_the_commit_and_the_files(repos: Repos, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert commit(repos, capsys, "--preset", "argocd-guide", "--push")[0] == 0
    # Someone else pushes first: ours is no longer a fast-forward.
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(repos.bare), str(other))
    (other / "OTHER.md").write_text("x\n", encoding="utf-8")
    git(other, "add", "OTHER.md")
    git(other, "commit", "-qm", "other")
    git(other, "push", "-q", "origin", "main")
    before = snapshot(repos)
    code, _out, err = commit(repos, capsys, "--set", "workerGroups.standard-worker.maxReplicas=8", "--push")
    assert code == 2
    assert f"push to origin ({repos.bare}) branch main failed" in err
    assert "nothing was committed: the commit was undone and the files are as they were" in err
    assert "git pull --rebase" in err
    assert snapshot(repos) == before


def test_a_failing_commit_hook_leaves_the_clone_as_it_was(repos: Repos, capsys: pytest.CaptureFixture[str]) -> None:
    hook = repos.clone / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'lint failed' >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)
    before = snapshot(repos)
    code, _out, err = commit(repos, capsys, "--preset", "argocd-guide")
    assert code == 2 and "lint failed" in err and "nothing was committed and the files are as they were" in err
    assert snapshot(repos) == before


def test_not_a_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["commit", "--repo", str(tmp_path), "--path", "ray", "--preset", "argocd-guide"])
    assert code == 2 and "is not inside a git working tree" in capsys.readouterr().err


def test_field_labels_and_messages() -> None:
    values = ".spec.source.helm.valuesObject"
    path = f'{values}.additionalWorkerGroups["standard-worker"].maxReplicas'
    assert field_label(path) == "standard-worker maxReplicas"
    assert field_label(f"{values}.additionalWorkerGroups.gpu.resources.limits.cpu") == "gpu resources.limits.cpu"
    assert field_label(f"{values}.worker.minReplicas", "small") == "small minReplicas"
    assert field_label(f"{values}.image.tag") == "image.tag"
    assert field_label(".spec.source.targetRevision") == "spec.source.targetRevision"
    old = "kind: Application\nmetadata: {name: raycluster}\nspec: {source: {targetRevision: '1.5.1'}}\n"
    new = old.replace("1.5.1", "1.6.0")
    assert commit_message([("ray/raycluster.yaml", old, new)]) == (
        "raycluster: spec.source.targetRevision 1.5.1 → 1.6.0")
    long = commit_message([("a.yaml", old, new.replace("raycluster", "x" * 80))])
    assert len(long.splitlines()[0]) <= 72 and "\n\n- " in long


def test_repository_urls_compare_in_every_spelling() -> None:
    from raywizard.documents.git import normalized_url

    same = {normalized_url(u) for u in ("git@github.com:Acme/deploy.git", "https://github.com/acme/deploy",
                                         "ssh://git@github.com/acme/deploy.git", "https://github.com/acme/deploy/")}
    assert same == {"github.com/acme/deploy"}
    assert normalized_url("file:///srv/git/ray.git") == normalized_url("/srv/git/ray.git") == "/srv/git/ray"


def test_a_preset_or_other_files_are_carried_into_the_files_already_there(
        repos: Repos, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert commit(repos, capsys, "--preset", "argocd-guide")[0] == 0
    path = repos.clone / "ray" / "raycluster.yaml"
    path.write_text("# ours\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    git(repos.clone, "commit", "-qam", "a comment")
    elsewhere = tmp_path / "elsewhere.yaml"
    assert cli.main(["render", "--preset", "argocd-guide", "--set", "workerGroups.standard-worker.maxReplicas=5",
                     "-o", str(elsewhere)]) == 0
    code, _out, err = commit(repos, capsys, "--from", str(elsewhere))
    assert code == 0, err
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# ours\n") and "maxReplicas: 5" in text
    assert "argocd.argoproj.io/sync-wave: '2'" in text and "maxDuration: 3m" in text  # kept: no field for them
    assert sorted(p.name for p in (repos.clone / "ray").iterdir()) == sorted(CHILDREN)
    code, _out, err = commit(repos, capsys, "--preset", "minimal")
    assert code == 0, err
    assert "argocd.argoproj.io/sync-wave: '2'" in path.read_text(encoding="utf-8")


def test_the_first_commit_of_a_new_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    clone = tmp_path / "fresh"
    git(tmp_path, "init", "-q", "-b", "main", str(clone))
    git(clone, "config", "user.name", "Test Author")
    git(clone, "config", "user.email", "author@example.com")
    code = cli.main(["commit", "--repo", str(clone), "--path", "apps/ray", "--preset", "minimal"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert git(clone, "log", "--format=%s").strip() == "add Applications ray-operator-crds, ray-operator, raycluster"
    assert git(clone, "ls-files").split() == [f"apps/ray/{name}" for name in sorted(CHILDREN)]


def test_a_file_in_the_way_is_never_overwritten(repos: Repos, capsys: pytest.CaptureFixture[str]) -> None:
    (repos.clone / "ray").mkdir()
    (repos.clone / "ray" / "raycluster.yaml").write_bytes(b"\xff\xfe not yaml: [\n")
    before = snapshot_bytes(repos)
    code, _out, err = commit(repos, capsys, "--preset", "argocd-guide")
    assert code == 2 and "raycluster.yaml exists but holds no KubeRay Application" in err
    assert snapshot_bytes(repos) == before


def snapshot_bytes(repos: Repos) -> dict[str, bytes]:
    return {str(p.relative_to(repos.clone)): p.read_bytes()
            for p in sorted(repos.clone.rglob("*")) if p.is_file() and ".git" not in p.parts}
