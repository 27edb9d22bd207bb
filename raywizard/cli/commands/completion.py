"""`raywizard completion bash|zsh|fish`: a shell completion script generated from the CLI's own parser.

The script is written from ``cli.build_parser()`` (subcommands, their options, choices and which options
take a file), so it never drifts from the real flags and needs no extra dependency. Values that change at run
time (preset names, kubeconfig contexts) come from ``raywizard completion --list presets|contexts`` when the
user presses Tab; ``--set`` paths are the field keys of ``raywizard.fields.declarations``.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field

HELP = "print a shell completion script (bash, zsh or fish)"
DESCRIPTION = """\
Print a completion script for bash, zsh or fish, generated from raywizard's own command-line parser:
subcommands, options, choices, file arguments, preset names, kubeconfig contexts and --set paths."""
EXAMPLES = """\
examples:
  raywizard completion bash > ~/.local/share/bash-completion/completions/raywizard
  source <(raywizard completion bash)                      try it in the current bash
  raywizard completion zsh > "${fpath[1]}/_raywizard"      then restart zsh (or: source <(...))
  raywizard completion fish > ~/.config/fish/completions/raywizard.fish
"""

SHELLS = ("bash", "zsh", "fish")
LISTS = ("presets", "contexts")
_FILE_WORDS = ("FILE", "PATH", "DIR", ".yaml", "KUBECONFIG")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("shell", nargs="?", choices=SHELLS, help="the shell to complete for")
    # What the scripts call back for values only known at run time; not for people.
    parser.add_argument("--list", choices=LISTS, help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    from raywizard.model.errors import InputError

    if args.list:
        print("\n".join(dynamic_values(args.list)))
        return 0
    if not args.shell:
        raise InputError("which shell?", "run `raywizard completion bash`, `... zsh` or `... fish`")
    from raywizard.cli.main import build_parser

    print(generate(args.shell, build_parser()), end="")
    return 0


def dynamic_values(kind: str) -> list[str]:
    """Preset names or kubeconfig contexts; nothing (never an error) when they cannot be read."""
    try:
        if kind == "presets":
            from raywizard.documents.presets import list_presets

            return sorted({p.name for p in list_presets()})
        from raywizard.kube.connection import list_contexts

        return [c.name for c in list_contexts()]
    except Exception:  # Tab must never print a traceback into the user's command line
        return []


# -------------------------------------------------------------------------------------- the parser model
@dataclass
class Option:
    flags: list[str]
    help: str
    takes_value: bool
    value: str  # "none" | "file" | "choice" | "presets" | "contexts" | "set" | "text"
    choices: list[str] = field(default_factory=list)
    repeatable: bool = False
    metavar: str = "value"

    @property
    def long(self) -> list[str]:
        return [f[2:] for f in self.flags if f.startswith("--")]

    @property
    def short(self) -> list[str]:
        return [f[1:] for f in self.flags if not f.startswith("--")]


@dataclass
class Command:
    name: str
    help: str
    options: list[Option]
    positional: list[str]  # choices of the first positional argument (e.g. the shell), if any


def _first_sentence(text: str | None, limit: int = 80) -> str:
    text = " ".join((text or "").split())
    for stop in (". ", "; ", " (e.g.", ", e.g."):
        text = text.split(stop, 1)[0]
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "..."


def _value_kind(action: argparse.Action) -> str:
    if action.nargs == 0:
        return "none"
    if action.choices:
        return "choice"
    flags = set(action.option_strings)
    if "--preset" in flags:
        return "presets"
    if "--context" in flags:
        return "contexts"
    if "--set" in flags:
        return "set"
    metavar = str(action.metavar or action.dest).upper()
    if getattr(action.type, "__name__", "") == "Path" or any(word.upper() in metavar for word in _FILE_WORDS):
        return "file"
    return "text"


def _command(name: str, help_text: str, parser: argparse.ArgumentParser) -> Command:
    options: list[Option] = []
    positional: list[str] = []
    for action in parser._actions:
        if action.help == argparse.SUPPRESS:
            continue
        if not action.option_strings:
            if action.choices and not positional:
                positional = [str(c) for c in action.choices]
            continue
        kind = _value_kind(action)
        options.append(Option(
            flags=list(action.option_strings), help=_first_sentence(action.help), takes_value=kind != "none",
            value=kind, choices=[str(c) for c in action.choices or []],
            repeatable=isinstance(action, argparse._AppendAction),
            metavar=str(action.metavar or action.dest).lower().replace(":", "")))
    return Command(name, _first_sentence(help_text), options, positional)


def describe(parser: argparse.ArgumentParser) -> tuple[Command, list[Command]]:
    """The top level and each subcommand, as the generators need them."""
    subcommands: list[Command] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            for name, sub in action.choices.items():
                subcommands.append(_command(name, helps.get(name) or "", sub))
    top = _command("raywizard", parser.description or "", parser)
    top.positional = [c.name for c in subcommands]
    return top, subcommands


def set_paths() -> list[str]:
    from raywizard.fields.declarations import GROUP_FIELDS, SPEC_FIELDS

    return [f.key for f in SPEC_FIELDS] + [f"workerGroups[0].{f.name}" for f in GROUP_FIELDS]


def generate(shell: str, parser: argparse.ArgumentParser) -> str:
    top, subcommands = describe(parser)
    writer = {"bash": bash_script, "zsh": zsh_script, "fish": fish_script}[shell]
    return writer(top, subcommands, set_paths())


# ------------------------------------------------------------------------------------------------- bash
def _bash_value_case(option: Option, set_words: str) -> str:
    patterns = "|".join(option.flags)
    action = {
        "file": "_raywizard_files",
        "choice": f'_raywizard_words "{" ".join(option.choices)}"',
        "presets": '_raywizard_words "$("${COMP_WORDS[0]}" completion --list presets 2>/dev/null)"',
        "contexts": '_raywizard_words "$("${COMP_WORDS[0]}" completion --list contexts 2>/dev/null)"',
        "set": f'_raywizard_words "{set_words}"; compopt -o nospace 2>/dev/null',
        "text": ":",  # a free value: nothing sensible to suggest
    }[option.value]
    return f"                {patterns}) {action}; return ;;"


def bash_script(top: Command, subcommands: list[Command], paths: list[str]) -> str:
    set_words = " ".join(f"{p}=" for p in paths)
    cases = []
    for command in [top, *subcommands]:
        label = '""' if command is top else command.name
        value_cases = [_bash_value_case(o, set_words) for o in command.options if o.takes_value]
        flags = " ".join(f for o in command.options for f in o.flags)
        cases.append("\n".join([
            f"        {label})",
            '            case "$prev" in',
            *value_cases,
            "            esac",
            f'            opts="{flags}"; positional="{" ".join(command.positional)}" ;;',
        ]))
    body = "\n".join(cases)
    return f"""\
# bash completion for raywizard, generated by `raywizard completion bash` from its own parser.
# Install: raywizard completion bash > ~/.local/share/bash-completion/completions/raywizard
_raywizard_words() {{ COMPREPLY=($(compgen -W "$1" -- "$cur")); }}
_raywizard_files() {{ compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur")); }}
_raywizard() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}" prev="${{COMP_WORDS[COMP_CWORD-1]}}"
    local cmd="" opts="" positional="" i
    COMPREPLY=()
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${{COMP_WORDS[i]}}" in
            -*) ;;
            *) cmd="${{COMP_WORDS[i]}}"; break ;;
        esac
    done
    case "$cmd" in
{body}
        *) return ;;
    esac
    if [[ "$cur" == -* || -z "$positional" ]]; then
        _raywizard_words "$opts"
    else
        _raywizard_words "$positional"
    fi
}}
complete -F _raywizard raywizard
"""


# -------------------------------------------------------------------------------------------------- zsh
def _zsh_quote(text: str) -> str:
    cleaned = text.replace("[", "(").replace("]", ")").replace("'", "").replace("`", "").replace("\\", "")
    return cleaned.replace(":", "\\:")


def _zsh_option(option: Option) -> str:
    help_text = f"[{_zsh_quote(option.help)}]"
    action = ""
    if option.takes_value:
        what = {
            "file": "_files",
            "choice": f"({' '.join(option.choices)})",
            "presets": "_raywizard_presets",
            "contexts": "_raywizard_contexts",
            "set": "_raywizard_set_paths",
            "text": " ",
        }[option.value]
        action = f":{_zsh_quote(option.metavar)}:{what}"
    star = "*" if option.repeatable else ""
    if len(option.flags) == 1:
        return f"'{star}{option.flags[0]}{help_text}{action}'"
    exclusive = f"({' '.join(option.flags)})" if not option.repeatable else ""
    return f"'{exclusive}{star}'{{{','.join(option.flags)}}}'{help_text}{action}'"


def zsh_script(top: Command, subcommands: list[Command], paths: list[str]) -> str:
    described = "\n".join(f"    '{c.name}:{_zsh_quote(c.help)}'" for c in subcommands)
    top_options = " \\\n    ".join(_zsh_option(o) for o in top.options)
    cases = []
    for command in subcommands:
        specs = [_zsh_option(o) for o in command.options]
        if command.positional:
            specs.append(f"'1:{command.name}:({' '.join(command.positional)})'")
        joined = " \\\n            ".join(specs) or "'*: :'"
        cases.append(f"        {command.name})\n            _arguments -s \\\n            {joined} ;;")
    body = "\n".join(cases)
    return f"""\
#compdef raywizard
# zsh completion for raywizard, generated by `raywizard completion zsh` from its own parser.
# Install: raywizard completion zsh > "${{fpath[1]}}/_raywizard"   (or, for this shell: source <(...))
_raywizard_presets() {{
  local -a names; names=(${{(f)"$(raywizard completion --list presets 2>/dev/null)"}}); compadd -a names
}}
_raywizard_contexts() {{
  local -a names; names=(${{(f)"$(raywizard completion --list contexts 2>/dev/null)"}}); compadd -a names
}}
_raywizard_set_paths() {{
  local -a paths; paths=({" ".join(paths)}); compadd -S '=' -a paths
}}
_raywizard() {{
  local curcontext="$curcontext" state line
  typeset -A opt_args
  local -a commands
  commands=(
{described}
  )
  _arguments -C \\
    {top_options} \\
    '1: :->command' \\
    '*:: :->args'
  case $state in
    command) _describe -t commands 'raywizard command' commands ;;
    args)
      case $words[1] in
{body}
      esac ;;
  esac
}}
if [ "$funcstack[1]" = "_raywizard" ]; then
  _raywizard "$@"
else
  compdef _raywizard raywizard
fi
"""


# ------------------------------------------------------------------------------------------------- fish
def _fish_quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _fish_option(condition: str, option: Option, paths: list[str]) -> str:
    parts = ["complete -c raywizard", f"-n {_fish_quote(condition)}"]
    parts += [f"-s {s}" for s in option.short] + [f"-l {name}" for name in option.long]
    if option.takes_value:
        parts.append({
            "file": "-r -F",
            "choice": f"-x -a {_fish_quote(' '.join(option.choices))}",
            "presets": "-x -a '(raywizard completion --list presets 2>/dev/null)'",
            "contexts": "-x -a '(raywizard completion --list contexts 2>/dev/null)'",
            "set": f"-x -a {_fish_quote(' '.join(p + '=' for p in paths))}",
            "text": "-x",
        }[option.value])
    if option.help:
        parts.append(f"-d {_fish_quote(option.help)}")
    return " ".join(parts)


def fish_script(top: Command, subcommands: list[Command], paths: list[str]) -> str:
    lines = [
        "# fish completion for raywizard, generated by `raywizard completion fish` from its own parser.",
        "# Install: raywizard completion fish > ~/.config/fish/completions/raywizard.fish",
        "complete -c raywizard -f",
    ]
    lines += [_fish_option("__fish_use_subcommand", o, paths) for o in top.options]
    lines += [f"complete -c raywizard -n '__fish_use_subcommand' -a {c.name} -d {_fish_quote(c.help)}"
              for c in subcommands]
    for command in subcommands:
        condition = f"__fish_seen_subcommand_from {command.name}"
        lines += [_fish_option(condition, o, paths) for o in command.options]
        if command.positional:
            lines.append(f"complete -c raywizard -n {_fish_quote(condition)} "
                         f"-a {_fish_quote(' '.join(command.positional))}")
    return "\n".join(lines) + "\n"
