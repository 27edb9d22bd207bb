"""Steps whose body is mostly a field form: Versions, Target, Head, Sync & drift.

Each shows what the core computes next to the inputs (release notes, the RayCluster name, effective resources,
what the ignore rule hides) and never computes it itself.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from raywizard.fields.declarations import fields_for
from raywizard.fields.kit import Kind, Step
from raywizard.model.problems import Problem
from raywizard.tui.wizard.derived import effective_aside
from raywizard.tui.wizard.screens.base import StepScreen
from raywizard.tui.wizard.widgets.field_form import FieldForm
from raywizard.tui.wizard.wizard_model import WizardStep


class FormStepScreen(StepScreen):
    FIELD_STEP: ClassVar[Step]

    def compose_body(self) -> ComposeResult:
        with Horizontal(classes="step-columns"):
            yield FieldForm(fields_for(self.FIELD_STEP), self.model.spec, id="form")
            with Vertical(classes="side-panel"):
                yield Static("", id="side-note", markup=False)
                yield from self.compose_side()

    def compose_side(self) -> ComposeResult:
        yield from ()

    def refresh_view(self) -> None:
        super().refresh_view()
        if self.ready:
            self._mark_stale_side()

    def _mark_stale_side(self) -> None:
        """The side panel is computed from the spec: while a field's text does not parse the spec keeps the last
        value that did, and while a field is invalid the result is not what would deploy. Say so and grey it."""
        form = self.query_one(FieldForm)
        unparsed = [f.label for f in form.fields if f.key in form.parse_errors]
        if unparsed:
            note = f"⚠ Stale: {unparsed[0]} does not parse; below is from its last valid value."
        elif blocking := self.model.blocking(self.STEP):
            note = _blocked_note(blocking[0])
        else:
            note = ""
        self.query_one("#side-note", Static).update(note)
        self.query_one(".side-panel").set_class(bool(note), "-stale")

    def on_mount(self) -> None:
        super().on_mount()
        editors = self.query(".field-editor")
        if editors:
            editors.first().focus()


def _blocked_note(problem: Problem) -> str:
    """What the side panel says while the step has an error: "invalid input" only for a value the user typed;
    a choice or a switch is not a typing error, so the note names the problem instead."""
    from raywizard.fields.declarations import BY_KEY
    from raywizard.tui.wizard.wizard_model import field_key_of

    field = BY_KEY.get(field_key_of(problem.path))
    if field is not None and field.kind not in (Kind.CHOICE, Kind.BOOL):
        return "✗ From invalid input: fix the ✗ field first."
    what = field.label if field is not None else problem.path
    return f"✗ Not deployable as set: {what} — {problem.message}"


class VersionsScreen(FormStepScreen):
    STEP = WizardStep.VERSIONS
    FIELD_STEP = Step.VERSIONS
    INTRO = ("KubeRay publishes the operator, its CRDs and the ray-cluster chart together: keep them on one "
             "release. The Ray image is what your code runs on.")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f", "align_versions", "Align versions"),  # shown only while chart and operator differ
    ]

    def compose_side(self) -> ComposeResult:
        yield Static("", id="release-notes", markup=False)
        yield Button("", id="align-versions", compact=True, variant="warning")

    def alignment(self) -> tuple[str, str] | None:
        """The one-key fix for a chart/operator mismatch: the chart follows the operator and CRDs (what the
        guide's cluster runs), or else the operator follows the chart. None when they already match."""
        from raywizard.chart import SUPPORTED_CHART_VERSIONS
        from raywizard.model.versions import kuberay_tags, same_release

        versions = self.model.spec.versions
        if not self.model.spec.operator_version_given() or same_release(versions.kuberay, versions.chart):
            return None
        if versions.kuberay.lstrip("v") in SUPPORTED_CHART_VERSIONS:
            return "versions.chart", versions.kuberay.lstrip("v")
        if f"v{versions.chart.lstrip('v')}" in kuberay_tags():
            return "versions.kuberay", f"v{versions.chart.lstrip('v')}"
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "align_versions":
            return self.ready and self.alignment() is not None
        return True

    def action_align_versions(self) -> None:
        from raywizard.fields.declarations import BY_KEY

        fix = self.alignment()
        if fix is None:
            return
        key, value = fix
        field = BY_KEY[key]
        field.set(self.model.spec, value)
        self.query_one(FieldForm).refresh_values()
        self.wizard.spec_changed(self)
        self.notify(f"{field.label} set to {value}: chart, operator and CRDs are one KubeRay release.",
                    markup=False)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "align-versions":
            self.action_align_versions()

    def refresh_step(self) -> None:
        from raywizard.model.versions import release, same_release

        spec = self.model.spec
        chart = release(spec.versions.chart)
        operator = release(spec.versions.kuberay)
        lines = [f"Chart {spec.versions.chart}: {chart.notes if chart else 'not a release we know'}"]
        if spec.operator_version_given() and not same_release(spec.versions.kuberay, spec.versions.chart):
            lines.append(f"Operator {spec.versions.kuberay}: "
                         f"{operator.notes if operator else 'not a release we know'}")
            lines.append("⚠ operator and chart are different releases")
        self.query_one("#release-notes", Static).update("Release notes\n" + "\n".join(lines))
        fix = self.alignment()
        button = self.query_one("#align-versions", Button)
        button.display = fix is not None
        if fix is not None:
            what = "chart" if fix[0] == "versions.chart" else "KubeRay"
            button.label = f"Use {what} {fix[1]} (f)"
        self.refresh_bindings()


class TargetScreen(FormStepScreen):
    STEP = WizardStep.TARGET
    FIELD_STEP = Step.TARGET
    INTRO = "Where the three Argo CD Applications live and where they deploy the operator and the RayCluster."

    def compose_side(self) -> ComposeResult:
        yield Static("", id="raycluster-name", markup=False)

    def refresh_step(self) -> None:
        from raywizard.render.applications import raycluster_name

        spec = self.model.spec
        try:
            name = raycluster_name(spec)
        except Exception as exc:  # a half-typed name must not break the screen
            name = f"(cannot compute: {exc})"
        self.query_one("#raycluster-name", Static).update(
            f"RayCluster name\n{name}\n\nin namespace {spec.target.namespace}\n"
            f"from release {spec.target.effective_release_name}")

    def status_extra(self) -> str:
        from raywizard.render.applications import raycluster_name

        if self.model.blocking(self.STEP):
            return ""  # the status line shows the error; a name from invalid input would read as the result
        try:
            return f"RayCluster: {raycluster_name(self.model.spec)}"
        except Exception:
            return ""


def _format_resources(resources: object) -> str:
    requests = getattr(resources, "requests", {}) or {}
    limits = getattr(resources, "limits", {}) or {}
    keys = list(dict.fromkeys([*requests, *limits]))
    if not keys:
        return "none"
    return "\n".join(f"{key}: request {requests.get(key, '—')}, limit {limits.get(key, '—')}" for key in keys)


class HeadScreen(FormStepScreen):
    STEP = WizardStep.HEAD
    FIELD_STEP = Step.HEAD
    INTRO = ("The head runs the GCS, the dashboard and (with autoscaling) the autoscaler. Blank resource fields "
             "take the chart's default, merged key by key with what you set.")

    def compose_side(self) -> ComposeResult:
        yield Static("", id="effective-head", markup=False)

    def refresh_step(self) -> None:
        from raywizard.validation.effective import effective_resources

        try:
            text = _format_resources(effective_resources(self.model.spec, None))
        except Exception as exc:
            text = f"cannot compute: {exc}"
        self.query_one("#effective-head", Static).update(f"Effective head resources\n(after chart defaults)\n{text}")
        spec = self.model.spec
        form = self.query_one(FieldForm)
        form.set_asides(lambda field: effective_aside(spec, None, field))
        # Autoscaler options only matter with in-tree autoscaling: greyed out (kept, not cleared) without it.
        for field in form.fields:
            row = form.row(field.key)
            if row is not None and field.key.startswith("head.autoscaler."):
                row.disabled = not spec.head.autoscaling


class SyncScreen(FormStepScreen):
    STEP = WizardStep.SYNC
    STACKED = True
    FIELD_STEP = Step.SYNC
    INTRO = ("With in-tree autoscaling the Ray autoscaler changes workerGroupSpecs[].replicas on the live "
             "RayCluster. Argo CD sees that as drift: with selfHeal it scales the cluster back, fighting the "
             "autoscaler. The ignore rule tells Argo CD to ignore exactly those fields.")

    def compose_side(self) -> ComposeResult:
        yield Static("", id="ignored-paths", markup=False)

    def refresh_step(self) -> None:
        from raywizard.diff.ignore_differences import ignored_paths
        from raywizard.render.applications import desired_raycluster, ignore_rules

        spec = self.model.spec
        try:
            rules = ignore_rules(spec)
            desired = desired_raycluster(spec)
            metadata = desired.get("metadata", {})
            hidden = ignored_paths(desired, rules, group="ray.io", kind="RayCluster",
                                   name=str(metadata.get("name", "")),
                                   namespace=str(metadata.get("namespace", spec.target.namespace)))
        except Exception as exc:
            self.query_one("#ignored-paths", Static).update(f"cannot compute the ignored fields: {exc}")
            return
        if not rules:
            text = "No ignore rule: Argo CD compares every field."
            if spec.head.autoscaling:
                text += "\n⚠ autoscaling is on: replicas will show as drift."
        else:
            from raywizard.documents.roundtrip_yaml import dump_documents

            listed = "\n".join(f"  {path}" for path in hidden) or "  (nothing in the desired RayCluster)"
            rule_text = dump_documents([{"ignoreDifferences": rules}]).strip()
            text = (f"Argo CD will ignore on the RayCluster:\n{listed}\n\n"
                    f"The rule in the RayCluster Application:\n{rule_text}")
        self.query_one("#ignored-paths", Static).update(text)
