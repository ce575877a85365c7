#!/usr/bin/env python3
"""The dependency rule of docs/ARCHITECTURE.md, enforced: run by ctest as `architecture.*`.

1. Each third-party library is included only inside its one adapter folder.
2. A module includes only itself and the modules its arrows allow (no cycles, no upward arrows).
Exits 1 listing every violation as file:line.
"""
import os
import re
import sys

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', '..'))

# Modules by folder (longest prefix wins) and the modules each may include.
MODULES = {
    'include/golive': 'base',
    'orchestrator/base': 'base',
    'orchestrator/adapters/crypto': 'crypto',
    'orchestrator/adapters/yaml': 'yaml',
    'orchestrator/adapters/http': 'http',
    'orchestrator/adapters/ssh': 'ssh',
    'orchestrator/adapters/git': 'git',
    'orchestrator/adapters/process': 'process',
    'orchestrator/adapters/sqlite': 'sqlite',
    'orchestrator/adapters/regex': 'regex',
    'orchestrator/adapters/json': 'json',
    'orchestrator/adapters/log': 'log',
    'orchestrator/adapters/archive': 'archive',
    'orchestrator/adapters/postgres': 'postgres',
    'orchestrator/adapters/dns': 'dns',
    'orchestrator/audit': 'audit',
    'runbooks': 'runbooks',
    'orchestrator/secrets': 'secrets',
    'steps/checks': 'checks',
    'steps': 'steps',
    'orchestrator/ledger': 'ledger',
    'orchestrator/context': 'context',
    'orchestrator/insight': 'insight',
    'orchestrator/release': 'release',
    'orchestrator/cli': 'cli',
}
ADAPTERS = {'crypto', 'yaml', 'http', 'ssh', 'git', 'process', 'sqlite', 'regex', 'json', 'log',
            'archive', 'postgres', 'dns'}
# Direct arrows; what a module may include is their transitive closure.
ARROWS = {
    'base': set(),
    'crypto': {'base'}, 'yaml': {'base'}, 'http': {'base'}, 'ssh': {'base'}, 'git': {'base'},
    'process': {'base'}, 'regex': {'base'}, 'json': {'base'}, 'log': {'base'},
    'archive': {'base'}, 'dns': {'base'},
    'runbooks': {'base', 'yaml', 'crypto', 'regex'},
    'secrets': {'runbooks', 'regex', 'crypto', 'json'},
    'steps': {'runbooks', 'crypto', 'archive'},
    'checks': {'runbooks', 'http', 'regex', 'crypto', 'json'},
    'ledger': {'base', 'crypto', 'json'},
    'sqlite': {'ledger'},
    'postgres': {'ledger'},
    'context': {'secrets', 'log'},
    'insight': {'ledger', 'crypto', 'json'},
    'release': {'context', 'steps', 'checks', 'ledger', 'secrets', 'insight', 'json'},
    'audit': {'checks', 'secrets', 'dns', 'http', 'regex', 'crypto', 'json'},
    'cli': {'release', 'audit'} | ADAPTERS,
}
# Third-party header prefixes and the one module allowed to include each.
LIBRARIES = [
    (r'libssh/', 'ssh'), (r'sqlite3\.h', 'sqlite'), (r'git2', 'git'), (r'boost/', 'process'),
    (r'curl/', 'http'), (r'yaml-cpp/', 'yaml'), (r'openssl/', 'crypto'), (r'archive', 'archive'),
    (r're2/', 'regex'), (r'nlohmann/', 'json'), (r'spdlog/', 'log'), (r'fmt/', 'log'),
    (r'libpq-fe\.h|postgresql/', 'postgres'), (r'zstd\.h', 'archive'), (r'CLI/', 'cli'),
    (r'resolv\.h|arpa/nameser', 'dns'),
]
# Known violations still being worked off; each must exist (a fixed one must be removed here).
KNOWN = set(l.strip() for l in open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'known_violations.txt')) if l.strip() and not l.startswith('#')) if os.path.exists(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'known_violations.txt')) else set()


def module_of(path):
    best = None
    for prefix, mod in MODULES.items():
        if path == prefix or path.startswith(prefix + '/'):
            if best is None or len(prefix) > len(best[0]):
                best = (prefix, mod)
    return best[1] if best else None


def closure(mod):
    seen, todo = set(), [mod]
    while todo:
        m = todo.pop()
        for n in ARROWS.get(m, ()):
            if n not in seen:
                seen.add(n)
                todo.append(n)
    return seen | {mod}


def main():
    found = []
    for top in ('include', 'orchestrator', 'steps', 'runbooks'):
        for dirpath, _, files in os.walk(os.path.join(ROOT, top)):
            for name in files:
                if not name.endswith(('.cc', '.h')):
                    continue
                path = os.path.relpath(os.path.join(dirpath, name), ROOT)
                mod = module_of(path)
                allowed = closure(mod)
                with open(os.path.join(ROOT, path), encoding='utf-8', errors='replace') as f:
                    for n, line in enumerate(f, 1):
                        m = re.match(r'\s*#\s*include\s*([<"])([^>"]+)[>"]', line)
                        if not m:
                            continue
                        target = m.group(2)
                        if m.group(1) == '<':
                            for pattern, owner in LIBRARIES:
                                if re.match(pattern, target) and mod != owner:
                                    found.append(f'{path}:{n}: includes <{target}>, which only '
                                                 f'the {owner} adapter may include')
                        else:
                            tmod = module_of(target)
                            if tmod and tmod not in allowed:
                                found.append(f'{path}:{n}: module {mod} includes "{target}" '
                                             f'of module {tmod}; allowed: {", ".join(sorted(allowed))}')
    keyed = {f.split(':')[0] + ' ' + f.split(': ', 1)[1].split(',')[0] for f in found}
    new = [f for f in found if f.split(':')[0] + ' ' + f.split(': ', 1)[1].split(',')[0] not in KNOWN]
    stale = sorted(KNOWN - keyed)
    for f in new:
        print(f)
    for k in stale:
        print(f'known violation no longer present, remove it from known_violations.txt: {k}')
    print(f'{len(found)} violation(s), {len(KNOWN)} known, {len(new)} new, {len(stale)} stale')
    return 1 if new or stale else 0


if __name__ == '__main__':
    sys.exit(main())
