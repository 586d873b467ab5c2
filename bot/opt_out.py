"""A note's `vaultbot` property: which rules it keeps away, and why a setting cannot be read.

`vaultbot: false` opts out of every rule; `vaultbot: {skip: [id, ...]}` of some. A setting
that cannot be read (`opt_out_problem`) opts out of every rule: it is not known which rules
the note meant to keep away, so none touches it.
"""

from __future__ import annotations

from typing import Collection


def skipped_rules(setting: object) -> frozenset[str] | None:
    """The rule ids a note with this `vaultbot` setting skips; None when it opts out of every rule."""
    if setting is None or setting is True or _says(setting, ("true", "yes", "on")):
        return frozenset()
    if isinstance(setting, dict) and not set(setting) - {"skip"}:  # `{skp: [tags]}` skips nothing knowingly
        skip = setting.get("skip") or []
        skip = [skip] if isinstance(skip, str) else skip
        if isinstance(skip, list) and all(isinstance(rule_id, str) for rule_id in skip):
            return frozenset(skip)
    return None


def opt_out_problem(setting: object, rule_ids: Collection[str] = ()) -> str | None:
    """Why the `vaultbot` setting cannot be read, when it cannot, or which of the rules it skips
    are none of `rule_ids` (when given): a misspelt id opts out of nothing."""
    skipped = skipped_rules(setting)
    unknown = sorted(skipped - set(rule_ids), key=str.casefold) if skipped and rule_ids else []
    if unknown:
        return (
            f"'vaultbot: {{skip: ...}}' names no rule called {', '.join(unknown)} (known: {', '.join(rule_ids)});"
            " the other rules change the note as usual"
        )
    if skipped is not None or setting is False or _says(setting, ("false", "no", "off")):
        return None
    if isinstance(setting, dict) and set(setting) - {"skip"}:
        others = ", ".join(sorted(map(str, set(setting) - {"skip"})))
        return f"'vaultbot' knows only 'skip', not {others}; every rule leaves the note alone"
    if isinstance(setting, dict):
        return "'vaultbot: {skip: ...}' is not a rule id or a list of them; every rule leaves the note alone"
    return "'vaultbot' is neither false nor {skip: [rule ids]}; every rule leaves the note alone"


def _says(setting: object, words: tuple[str, ...]) -> bool:
    """A quoted `'false'` means what the unquoted one does, and so do `no` and `off` (`yes` and
    `on` for true), which YAML 1.2 reads as text."""
    return isinstance(setting, str) and setting.strip().lower() in words
