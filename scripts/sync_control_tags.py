#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: hardening.docker contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tag every control task from the catalog: rule_<id>, ctl_<uid> and level1/level2.

A control task is a task named "<catalog id> | PATCH | ..." or "<id> | AUDIT | ...".
Its `tags:` become its other tags (kept, in their order) followed by the three
the catalog gives it, on one line. Tasks without `tags:` get the line after
their name. Any other task tagged rule_<id> (a module call that applies many
controls, a step that prepares them) also gets each control's ctl_/level tag. Re-run after merging new control tasks or catalog entries.

    scripts/sync_control_tags.py           # rewrite the task files
    scripts/sync_control_tags.py --check   # fail, listing each task whose tags disagree
"""
import argparse
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
# The tag names come from the collection's own selection code, so the tasks
# carry exactly the tags the enabled_controls lookup selects by.
sys.path.insert(0, str(ROOT / 'plugins' / 'module_utils'))
from _control_selection import control_tags  # noqa: E402  pylint: disable=wrong-import-position
TASK = re.compile(r'^(?P<indent>\s*)- name: (?P<quote>["\']?)(?P<id>[0-9][0-9.]*|HD-[0-9]+) \| (?:PATCH|AUDIT) \|')
MANAGED = re.compile(r'^(rule_.+|ctl_.+|level[12])$')


def catalog_tags(catalog):
    return dict((str(control['id']), control_tags(control)) for control in catalog)


def parse_tags(lines, start, key_indent):
    """(first line index, last line index, tags) of the task's `tags:` or None."""
    i = start + 1
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped and (len(line) - len(line.lstrip())) < key_indent:
            return None
        if line.startswith(' ' * key_indent + 'tags:'):
            value = line.split(':', 1)[1].strip()
            end = i
            if not value:
                while end + 1 < len(lines) and lines[end + 1].strip().startswith('- ') and \
                        (len(lines[end + 1]) - len(lines[end + 1].lstrip())) >= key_indent:
                    end += 1
                value = '\n'.join(lines[i + 1:end + 1])
            tags = yaml.safe_load(value) if value else []
            return i, end, [tags] if isinstance(tags, str) else list(tags or [])
        i += 1
    return None


def sync_file(path, wanted, problems):
    lines = path.read_text().split('\n')
    out = list(lines)
    edits = []
    for index, line in enumerate(lines):
        match = TASK.match(line)
        if not match:
            continue
        cid = match.group('id')
        where = '%s:%d (%s)' % (path.relative_to(ROOT), index + 1, cid)
        if cid not in wanted:
            problems.append('%s: no control %s in controls/catalog.yml' % (where, cid))
            continue
        key_indent = len(match.group('indent')) + 2
        found = parse_tags(lines, index, key_indent)
        current = found[2] if found else []
        own = [t for t in current if not MANAGED.match(str(t)) or
               (str(t).startswith('rule_') and t != wanted[cid][0])]
        tags = own + [t for t in wanted[cid] if t not in own]
        if tags == current:
            continue
        problems.append('%s: tags %s, catalog says %s' % (where, current, tags))
        edits.append((index, found, key_indent, tags))
    for index, found, key_indent, tags in reversed(edits):
        line = ' ' * key_indent + 'tags: [%s]' % ', '.join(tags)
        if found:
            out[found[0]:found[1] + 1] = [line]
        else:
            out.insert(index + 1, line)
    return '\n'.join(out)


def walk_tasks(tasks):
    """Every task of a task file, those inside block/rescue/always included."""
    for task in tasks if isinstance(tasks, list) else []:
        if not isinstance(task, dict):
            continue
        yield task
        for key in ('block', 'rescue', 'always'):
            yield from walk_tasks(task.get(key))


def helper_task_fixes(path, text, wanted, problems):
    """A task that is not itself a control task but serves controls (tags rule_a,
    rule_b, ...: one module call for many controls, a preparation step) gets the
    ctl_/level tags of each, so that --tags level1 or ctl_<uid> runs it as it
    runs the control tasks. One-line `tags: [...]` lists are rewritten; a list
    in a YAML anchor is only reported (edit it by hand)."""
    by_rule = {tags[0]: tags for tags in wanted.values()}
    lines = text.split('\n')
    for task in walk_tasks(yaml.safe_load(text)):
        tags = task.get('tags')
        name = str(task.get('name', ''))
        if not isinstance(tags, list) or TASK.match('- name: %s' % name):
            continue
        missing = []
        for rule in [t for t in tags if str(t).startswith('rule_')]:
            missing.extend(t for t in by_rule.get(rule, ()) if t not in tags and t not in missing)
        if not missing:
            continue
        where = '%s (%s)' % (path.relative_to(ROOT), name)
        problems.append('%s: tags %s lack %s' % (where, tags, ', '.join(missing)))
        head = re.compile(r'^(?P<indent>\s*)- name: ["\']?%s["\']?\s*$' % re.escape(name))
        index = next((i for i, line in enumerate(lines) if head.match(line)), None)
        found = parse_tags(lines, index, len(head.match(lines[index]).group('indent')) + 2) if index is not None else None
        line = lines[found[0]] if found else ''
        if not found or found[0] != found[1] or not line.rstrip().endswith(']') or '&' in line or '*' in line:
            problems.append('%s: tags in an anchor or on several lines: add %s by hand' % (where, ', '.join(missing)))
            continue
        lines[found[0]] = line.rstrip()[:-1] + ', ' + ', '.join(missing) + ']'
    return '\n'.join(lines)


def task_files(root):
    return sorted(p for p in (root / 'roles').glob('*/tasks/**/*.yml') if p.is_file())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--check', action='store_true', help='report disagreeing tasks and fail; change nothing')
    args = parser.parse_args()
    catalog = yaml.safe_load((ROOT / 'controls' / 'catalog.yml').read_text())
    controls = catalog['controls'] if isinstance(catalog, dict) else catalog
    missing = [str(c.get('id')) for c in controls if not c.get('uid')]
    if missing:
        print('catalog entries without uid (run scripts/catalog_benchmark_ids.py): %s' % ', '.join(missing))
        return 1
    wanted = catalog_tags(controls)
    problems = []
    changed = 0
    for path in task_files(ROOT):
        before = len(problems)
        text = helper_task_fixes(path, sync_file(path, wanted, problems), wanted, problems)
        if not args.check and len(problems) > before and text != path.read_text():
            path.write_text(text)
            changed += 1
    if args.check:
        if problems:
            print('control task tags disagree with the catalog (run scripts/sync_control_tags.py):')
            print('\n'.join('  ' + p for p in problems))
            return 1
        return 0
    unknown = [p for p in problems if 'no control' in p or 'by hand' in p]
    print('rewrote tags in %d file(s)' % changed)
    if unknown:
        print('\n'.join(unknown))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
