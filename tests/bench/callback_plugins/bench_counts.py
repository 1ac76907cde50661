# -*- coding: utf-8 -*-
# Copyright: hardening.docker contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Count task executions per host for scripts/bench.py.

Enabled with ANSIBLE_CALLBACKS_ENABLED=bench_counts and
ANSIBLE_CALLBACK_PLUGINS=tests/bench/callback_plugins; writes
{host: {ok, changed, skipped, failed, unreachable, total}} as JSON to the file
named by HD_BENCH_COUNTS when the play ends. A task counts once per host
whatever its loop length: the cost measured is the task, not the item.
"""

from __future__ import annotations

DOCUMENTATION = '''
    name: bench_counts
    type: aggregate
    short_description: count task executions per host (benchmark helper)
    description: Writes per-host counts of ok, changed, skipped, failed and unreachable task results to HD_BENCH_COUNTS.
    requirements: [enabled in ANSIBLE_CALLBACKS_ENABLED]
'''

import json
import os

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'bench_counts'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self.counts = {}

    def _count(self, result, outcome):
        host = result._host.get_name()
        row = self.counts.setdefault(host, {'ok': 0, 'changed': 0, 'skipped': 0, 'failed': 0,
                                            'unreachable': 0, 'total': 0})
        row[outcome] += 1
        row['total'] += 1
        if outcome == 'ok' and result._result.get('changed'):
            row['changed'] += 1

    def v2_runner_on_ok(self, result, **kwargs):
        self._count(result, 'ok')

    def v2_runner_on_skipped(self, result, **kwargs):
        self._count(result, 'skipped')

    def v2_runner_on_failed(self, result, ignore_errors=False, **kwargs):
        self._count(result, 'failed')

    def v2_runner_on_unreachable(self, result, **kwargs):
        self._count(result, 'unreachable')

    def v2_playbook_on_stats(self, stats):
        path = os.environ.get('HD_BENCH_COUNTS')
        if path:
            with open(path, 'w') as handle:
                json.dump(self.counts, handle, indent=1, sort_keys=True)
