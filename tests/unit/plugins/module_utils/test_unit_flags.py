# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import os

import pytest

from ansible_collections.hardening.docker.plugins.module_utils import _unit_flags as uf


# ------------------------------------------------------------ word splitting

@pytest.mark.parametrize('text, values', [
    ('/usr/bin/dockerd -H fd://', ['/usr/bin/dockerd', '-H', 'fd://']),
    ('a   "b c"  \'d e\'', ['a', 'b c', 'd e']),
    ('--label="x=y z" end', ['--label=x=y z', 'end']),
    (r'a\ b c', ['a b', 'c']),
    (r'"a\"b"', ['a"b']),
    ('100%% done', ['100%', 'done']),
    ('', []),
])
def test_split_words(text, values):
    assert [t.value for t in uf.split_words(text)] == values


def test_split_words_keeps_raw():
    tokens = uf.split_words('x "a b" $VAR ${VAR}')
    assert [t.raw for t in tokens] == ['x', '"a b"', '$VAR', '${VAR}']
    assert [t.is_env_ref for t in tokens] == [False, False, True, True]


def test_split_words_unterminated_quote():
    with pytest.raises(uf.UnitError):
        uf.split_words('a "b')


# ------------------------------------------------------------- unit parsing

def test_parse_unit_text_sections_comments_continuations():
    text = (
        '[Unit]\nDescription=x\n'
        '# ExecStart=/bin/false\n'
        '[Service]\n'
        'ExecStart=/usr/bin/dockerd \\\n'
        '  # a comment inside the continuation\n'
        '  -H fd:// \\\n'
        '  --debug\n'
        '; another comment\n'
        'Environment=A=1\n'
    )
    entries = uf.parse_unit_text(text)
    assert ('Unit', 'Description', 'x', 2) in entries
    exec_start = [e for e in entries if e[1] == 'ExecStart']
    assert len(exec_start) == 1
    assert exec_start[0][0] == 'Service'
    assert [t.value for t in uf.split_words(exec_start[0][2])] == ['/usr/bin/dockerd', '-H', 'fd://', '--debug']
    assert exec_start[0][3] == 5


def test_parse_env_file():
    text = (
        '# comment\n; comment\n\n'
        'DOCKER_OPTS="--dns 8.8.8.8 --icc=false"\n'
        "SINGLE='a b'\n"
        'PLAIN=value  \n'
        'export EXPORTED=1\n'
        'not a line\n'
        '1BAD=x\n'
        'CONT=a \\\nb\n'
    )
    assert dict(uf.parse_env_file(text)) == {
        'DOCKER_OPTS': '--dns 8.8.8.8 --icc=false',
        'SINGLE': 'a b',
        'PLAIN': 'value',
        'EXPORTED': '1',
        'CONT': 'a b',
    }


# ------------------------------------------------------- files and drop-ins

@pytest.fixture
def tree(tmp_path):
    dirs = [tmp_path / 'etc', tmp_path / 'run', tmp_path / 'lib']
    for directory in dirs:
        directory.mkdir()
    return dirs


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_find_unit_file_priority(tree):
    etc, run, lib = tree
    assert uf.find_unit_file('docker.service', [str(d) for d in tree]) is None
    write(lib / 'docker.service', '')
    assert uf.find_unit_file('docker.service', [str(d) for d in tree]) == str(lib / 'docker.service')
    write(run / 'docker.service', '')
    assert uf.find_unit_file('docker.service', [str(d) for d in tree]) == str(run / 'docker.service')


def test_find_dropins_order_masking_exclude(tree):
    etc, run, lib = tree
    write(lib / 'x.service.d' / '10-a.conf', '')
    write(etc / 'x.service.d' / '10-a.conf', '')
    write(lib / 'x.service.d' / '05-b.conf', '')
    write(run / 'x.service.d' / '20-c.conf', '')
    write(run / 'x.service.d' / 'ignored.txt', '')
    paths = [str(d) for d in tree]
    assert uf.find_dropins('x.service', paths) == [
        str(lib / 'x.service.d' / '05-b.conf'),
        str(etc / 'x.service.d' / '10-a.conf'),
        str(run / 'x.service.d' / '20-c.conf'),
    ]
    # excluding the /etc one makes the masked /lib one visible again
    assert uf.find_dropins('x.service', paths, exclude=[str(etc / 'x.service.d' / '10-a.conf')])[1] == \
        str(lib / 'x.service.d' / '10-a.conf')


def test_load_service_reset_and_environment(tree, tmp_path):
    etc, run, lib = tree
    env1 = write(tmp_path / 'env1', 'A=from-file\nB=b-file\n')
    write(lib / 'd.service', '[Service]\nEnvironment=A=unit C=c\nEnvironmentFile=-%s\n'
          'ExecStart=/bin/d -H fd://\n' % env1)
    write(etc / 'd.service.d' / 'x.conf', '[Service]\nExecStart=\nExecStart=/bin/d $A ${C}x\n'
          'Environment=\nEnvironment="D=1 2"\n')
    service = uf.load_service('d.service', [str(d) for d in tree])
    assert service.found
    assert len(service.exec_start) == 1
    env = {k: v[0] for k, v in service.environment.items()}
    # Environment= reset drops A=unit and C=c; the file still sets A and B
    assert env == {'A': 'from-file', 'B': 'b-file', 'D': '1 2'}
    assert [arg for arg, _origin in service.expand(service.exec_start[0])] == ['from-file', 'x']


def test_load_service_missing_required_env_file_warns(tree, tmp_path):
    etc, run, lib = tree
    write(lib / 'd.service', '[Service]\nEnvironmentFile=%s\nExecStart=/bin/d\n' % (tmp_path / 'nope'))
    service = uf.load_service('d.service', [str(d) for d in tree])
    assert service.warnings and 'nope' in service.warnings[0]


def test_load_service_not_found(tree):
    service = uf.load_service('d.service', [str(d) for d in tree])
    assert not service.found
    assert service.exec_start == []


def test_environment_file_reset(tree, tmp_path):
    etc, run, lib = tree
    env1 = write(tmp_path / 'env1', 'OPTS=--debug\n')
    write(lib / 'd.service', '[Service]\nEnvironmentFile=%s\nExecStart=/bin/d $OPTS\n' % env1)
    write(etc / 'd.service.d' / 'x.conf', '[Service]\nEnvironmentFile=\n')
    service = uf.load_service('d.service', [str(d) for d in tree])
    assert service.expand(service.exec_start[0]) == []


def test_expand_whole_var_splits_and_keeps_origin(tree, tmp_path):
    etc, run, lib = tree
    env = write(tmp_path / 'env', 'OPTS="--label a=b" \n')
    write(lib / 'd.service', '[Service]\nEnvironmentFile=-%s\nExecStart=/bin/d $OPTS $UNSET $$literal\n' % env)
    service = uf.load_service('d.service', [str(d) for d in tree])
    expanded = service.expand(service.exec_start[0])
    assert [a for a, _origin in expanded] == ['--label', 'a=b', '$literal']
    assert expanded[0][1] == ('OPTS', str(env))
    assert expanded[2][1] is None


def test_exec_prefixes_and_render():
    entry = uf.ExecStart('/u', 3, '-@/usr/bin/dockerd dockerd-name -H fd:// --debug')
    assert entry.prefix == '-@'
    assert entry.binary.value == '/usr/bin/dockerd'
    assert [t.value for t in entry.args] == ['-H', 'fd://', '--debug']
    assert entry.render() == '-@/usr/bin/dockerd dockerd-name -H fd:// --debug'
    assert entry.where == '/u line 3'


def test_exec_empty_command():
    with pytest.raises(uf.UnitError):
        uf.ExecStart('/u', 1, '-')


# ------------------------------------------------------------------- flags

def names(args):
    return [(f.name, f.value) for f in uf.parse_flags(args)]


@pytest.mark.parametrize('args, expected', [
    (['-H', 'fd://'], [('host', 'fd://')]),
    (['-Hfd://'], [('host', 'fd://')]),
    (['-H=fd://'], [('host', 'fd://')]),
    (['--host', 'fd://'], [('host', 'fd://')]),
    (['--host=fd://'], [('host', 'fd://')]),
    (['-D'], [('debug', None)]),
    (['-D', '-l', 'warn'], [('debug', None), ('log-level', 'warn')]),
    (['-Dl', 'warn'], [('debug', None), ('log-level', 'warn')]),
    (['--debug', 'positional'], [('debug', None)]),
    (['--icc=false'], [('icc', 'false')]),
    (['--log-opt', 'max-size=1m'], [('log-opt', 'max-size=1m')]),
    (['-s', 'overlay2', '-g', '/data'], [('storage-driver', 'overlay2'), ('graph', '/data')]),
    (['--containerd'], [('containerd', None)]),
    (['--', '--debug'], []),
    (['stray'], []),
])
def test_parse_flags(args, expected):
    assert names(args) == expected


def test_parse_flags_spans():
    flags = uf.parse_flags(['--a=1', '-H', 'x', '--tlsverify', '--b', 'y'])
    assert [(f.start, f.end, f.text) for f in flags] == [
        (0, 1, '--a=1'), (1, 3, '-H x'), (3, 4, '--tlsverify'), (4, 6, '--b y')]


@pytest.mark.parametrize('flag, key', [
    ('host', 'hosts'),
    ('tlsverify', 'tlsverify'),
    ('tlscacert', 'tlscacert'),
    ('userns-remap', 'userns-remap'),
    ('icc', 'icc'),
    ('log-driver', 'log-driver'),
    ('log-opt', 'log-opts'),
    ('default-ulimit', 'default-ulimits'),
    ('insecure-registry', 'insecure-registries'),
    ('registry-mirror', 'registry-mirrors'),
    ('exec-opt', 'exec-opts'),
    ('label', 'labels'),
    ('log-level', 'log-level'),
    ('storage-driver', 'storage-driver'),
    ('debug', 'debug'),
    ('graph', 'data-root'),
    ('data-root', 'data-root'),
    ('authorization-plugin', 'authorization-plugins'),
    ('add-runtime', 'runtimes'),
    ('dns', 'dns'),
    ('dns-opt', 'dns-opts'),
    ('dns-search', 'dns-search'),
    ('containerd', 'containerd'),
    ('some-future-flag', 'some-future-flag'),
    ('config-file', None),
    ('validate', None),
])
def test_flag_to_key(flag, key):
    assert uf.flag_to_key(flag) == key


def test_flag_uses_and_config_file(tree):
    etc, run, lib = tree
    write(lib / 'd.service', '[Service]\nExecStart=/bin/d -H fd:// -D --config-file /x.json --add-runtime r=/bin/r\n')
    service = uf.load_service('d.service', [str(d) for d in tree])
    uses = uf.flag_uses(service)
    assert [(u.key, u.flag) for u in uses] == [
        ('hosts', '-H fd://'), ('debug', '-D'), ('runtimes', '--add-runtime r=/bin/r')]
    assert 'd.service line 2' in uses[0].describe()
    assert uf.config_file_flags(service) == ['/x.json']


def test_strip_host_args():
    entry = uf.ExecStart('/u', 1, '/bin/d -H fd:// --host=unix:///x -Htcp://a:1 fd:// --containerd=/c.sock '
                                  '$DOCKER_OPTS ${MORE} --label "a b"')
    assert [t.raw for t in uf.strip_host_args(entry)] == ['--containerd=/c.sock', '$DOCKER_OPTS', '${MORE}', '--label', '"a b"']
    assert [t.raw for t in uf.strip_host_args(entry, keep_env_args=False)] == ['--containerd=/c.sock', '--label', '"a b"']


def test_symlinked_unit_to_dev_null_is_masked(tree):
    etc, run, lib = tree
    write(lib / 'd.service', '[Service]\nExecStart=/bin/d -H fd://\n')
    os.symlink('/dev/null', str(etc / 'd.service'))
    service = uf.load_service('d.service', [str(d) for d in tree])
    assert service.unit_path == str(etc / 'd.service')
    assert service.exec_start == []
